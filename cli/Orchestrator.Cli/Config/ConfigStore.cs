using YamlDotNet.Core;
using YamlDotNet.Serialization;
using YamlDotNet.Serialization.NamingConventions;
using Orchestrator.Cli.App;

namespace Orchestrator.Cli.Config;

/// <summary>
/// Reads and writes the contexts file: <c>$XDG_CONFIG_HOME/orch/config.yaml</c>, else <c>~/.config/orch/config.yaml</c>
/// (<c>ORCH_CONFIG</c> names another file). It holds tokens, so it is written readable by its owner only: the folder
/// 0700, the file 0600, written whole to a new file and moved over the old one so a crash never leaves half a file.
/// </summary>
public sealed class ConfigStore(string path)
{
    private const UnixFileMode FolderMode = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;
    private const UnixFileMode OwnerOnly = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    private static readonly ISerializer Writer = new SerializerBuilder()
        .WithNamingConvention(CamelCaseNamingConvention.Instance)
        .ConfigureDefaultValuesHandling(DefaultValuesHandling.OmitNull)
        .Build();

    private static readonly IDeserializer Reader = new DeserializerBuilder()
        .WithNamingConvention(CamelCaseNamingConvention.Instance)
        .Build();

    public string Path { get; } = path;

    /// <summary>The file named by the environment (see the type's summary).</summary>
    public static ConfigStore FromEnvironment()
    {
        if (Environment.GetEnvironmentVariable("ORCH_CONFIG") is { Length: > 0 } explicitPath)
        {
            return new ConfigStore(explicitPath);
        }
        var root = Environment.GetEnvironmentVariable("XDG_CONFIG_HOME") is { Length: > 0 } xdg
            ? xdg
            : System.IO.Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".config");
        return new ConfigStore(System.IO.Path.Combine(root, "orch", "config.yaml"));
    }

    /// <summary>The saved contexts; an empty configuration when there is no file yet.</summary>
    public CliConfig Load()
    {
        if (!File.Exists(Path))
        {
            return new CliConfig();
        }
        try
        {
            return Reader.Deserialize<CliConfig?>(File.ReadAllText(Path)) ?? new CliConfig();
        }
        catch (YamlException e)
        {
            throw new CliException($"{Path} line {e.Start.Line}, column {e.Start.Column}: {e.InnerException?.Message ?? e.Message} Fix or delete the file and run orch login again.");
        }
    }

    /// <summary>Writes the configuration with owner-only permissions (see the type's summary).</summary>
    public void Save(CliConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        var folder = System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(Path))!;
        if (OperatingSystem.IsWindows())
        {
            Directory.CreateDirectory(folder);
        }
        else
        {
            Directory.CreateDirectory(folder, FolderMode);
            File.SetUnixFileMode(folder, FolderMode);
        }
        var temporary = Path + "." + Guid.NewGuid().ToString("N")[..8] + ".tmp";
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = OwnerOnly;
        }
        try
        {
            using (var stream = new FileStream(temporary, options))
            using (var writer = new StreamWriter(stream))
            {
                writer.Write(Writer.Serialize(config));
            }
            File.Move(temporary, Path, overwrite: true);
        }
        finally
        {
            File.Delete(temporary);
        }
    }
}
