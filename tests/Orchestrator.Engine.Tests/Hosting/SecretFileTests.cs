using System.Runtime.Versioning;
using Orchestrator.Silo.Secrets;

namespace Orchestrator.Engine.Tests.Hosting;

[UnsupportedOSPlatform("windows")] // file modes are POSIX
public sealed class SecretFileTests : IDisposable
{
    private const UnixFileMode OwnerOnly = UnixFileMode.UserRead | UnixFileMode.UserWrite;
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "orch-secret-tests", Guid.NewGuid().ToString("N")[..8]);

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public void ReadOrCreate_NoFile_WritesAnOwnerOnlySecret_ThenReusesIt()
    {
        var path = Path.Combine(_directory, "data", "jobs-secret");

        var (first, created) = SecretFile.ReadOrCreate(path);
        var (second, read) = SecretFile.ReadOrCreate(path);

        Assert.Equal(SecretFileOutcome.Created, created);
        Assert.Matches("^[0-9a-f]{64}$", first);
        Assert.Equal(OwnerOnly, File.GetUnixFileMode(path));
        Assert.Equal(SecretFileOutcome.Read, read);
        Assert.Equal(first, second);
        Assert.False(File.Exists(path + ".new"));
    }

    [Fact]
    public void ReadOrCreate_FileLeftReadableByOthers_IsTightenedAndReused()
    {
        var path = Path.Combine(_directory, "agent-token");
        Directory.CreateDirectory(_directory);
        File.WriteAllText(path, "from-an-older-version\n");
        File.SetUnixFileMode(path, OwnerOnly | UnixFileMode.GroupRead | UnixFileMode.OtherRead);

        var (secret, outcome) = SecretFile.ReadOrCreate(path);

        Assert.Equal(SecretFileOutcome.Read, outcome);
        Assert.Equal("from-an-older-version", secret);
        Assert.Equal(OwnerOnly, File.GetUnixFileMode(path));
    }

    [Fact]
    public void ReadOrCreate_EmptyFile_GetsANewSecret()
    {
        var path = Path.Combine(_directory, "agent-token");
        Directory.CreateDirectory(_directory);
        File.WriteAllText(path, " \n");

        var (secret, outcome) = SecretFile.ReadOrCreate(path);

        Assert.Equal(SecretFileOutcome.Created, outcome);
        Assert.Equal(secret + "\n", File.ReadAllText(path));
        Assert.Equal(OwnerOnly, File.GetUnixFileMode(path));
    }

    [Fact]
    public void Resolve_Postgres_GeneratesNothing_AndLeavesTheJobsApiClosed()
    {
        var secrets = SiloSecrets.Resolve("postgres", new Orchestrator.Silo.SiloHostingOptions { AgentToken = "shared" }, _directory);

        Assert.Equal("shared", secrets.AgentToken);
        Assert.Null(secrets.JobsSecret);
        Assert.False(Directory.Exists(_directory));
        Directory.CreateDirectory(_directory); // for Dispose
    }

    [Fact]
    public void Resolve_SqliteWithoutAdminToken_GeneratesOneAndReusesItOnTheNextStart()
    {
        var first = SiloSecrets.Resolve("sqlite", new Orchestrator.Silo.SiloHostingOptions(), _directory);
        var second = SiloSecrets.Resolve("sqlite", new Orchestrator.Silo.SiloHostingOptions(), _directory);
        var onPostgres = SiloSecrets.Resolve("postgres", new Orchestrator.Silo.SiloHostingOptions { AgentToken = "shared" }, _directory + "-pg");

        Assert.Equal(64, first.AdminToken!.Length);
        Assert.Equal(first.AdminToken, second.AdminToken);
        Assert.Equal(first.AdminToken, File.ReadAllText(Path.Combine(_directory, SiloSecrets.AdminTokenFile)).Trim());
        Assert.Null(onPostgres.AdminToken);
        Assert.DoesNotContain(first.AdminToken, first.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Resolve_SqliteWithConfiguredValues_UsesThemAndWritesNoFile()
    {
        var secrets = SiloSecrets.Resolve("sqlite", new Orchestrator.Silo.SiloHostingOptions { AgentToken = "token", JobsSecret = "secret" }, _directory,
            adminToken: "configured-admin-token");

        Assert.Equal("token", secrets.AgentToken);
        Assert.Equal("secret", secrets.JobsSecret);
        Assert.Equal("configured-admin-token", secrets.AdminToken);
        Assert.False(Directory.Exists(_directory));
        Directory.CreateDirectory(_directory);
        Assert.DoesNotContain("secret", secrets.ToString(), StringComparison.Ordinal);
    }
}
