using Orchestrator.Cli.App;
using Orchestrator.Cli.Commands;
using Orchestrator.Cli.Config;

namespace Orchestrator.Cli.Tests.Unit;

public sealed class ArgsAndConfigTests
{
    [Fact]
    public void ParsePairs_ValueWithEquals_SplitAtFirst() =>
        Assert.Equal("a=b", Args.ParsePairs(["query=a=b"], "--param")["query"]);

    [Fact]
    public void ParsePairs_NameTwice_UsageError()
    {
        var e = Assert.Throws<CliException>(() => Args.ParsePairs(["a=1", "a=2"], "--param"));

        Assert.Contains("--param a is given twice", e.Message);
    }

    [Fact]
    public void Save_NewFolder_OwnerOnlyFolderAndFileAndReadsBack()
    {
        var folder = Path.Combine(Path.GetTempPath(), "orch-cli-unit", Guid.NewGuid().ToString("N")[..8]);
        try
        {
            var store = new ConfigStore(Path.Combine(folder, "orch", "config.yaml"));
            var config = new CliConfig { Current = "a" };
            config.Upsert(new CliContext { Name = "a", Server = "http://a:1", Token = "t" });

            store.Save(config);
            store.Save(config);

            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(store.Path));
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(Path.GetDirectoryName(store.Path)!));
            Assert.Single(Directory.GetFiles(Path.GetDirectoryName(store.Path)!)); // no temporary file left
            var read = store.Load();
            Assert.Equal("a", read.Current);
            Assert.Equal("t", read.Find("a")!.Token);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public void Load_BrokenFile_NamesFileAndLine()
    {
        var file = Path.Combine(Path.GetTempPath(), "orch-cli-unit-" + Guid.NewGuid().ToString("N")[..8] + ".yaml");
        File.WriteAllText(file, "current: a\ncontexts: [\n");
        try
        {
            var e = Assert.Throws<CliException>(() => new ConfigStore(file).Load());

            Assert.Contains(file + " line", e.Message);
        }
        finally
        {
            File.Delete(file);
        }
    }
}
