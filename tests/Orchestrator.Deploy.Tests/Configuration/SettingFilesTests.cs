using Microsoft.Extensions.Configuration;
using Orchestrator.Silo;

namespace Orchestrator.Deploy.Tests.Configuration;

/// <summary>Settings from files (<c>ORCH_&lt;SETTING&gt;_FILE</c>), the way a mounted Kubernetes Secret reaches the silo.</summary>
public sealed class SettingFilesTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("orch-setting-files-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private string File(string name, string content)
    {
        var path = Path.Combine(_directory, name);
        System.IO.File.WriteAllText(path, content);
        return path;
    }

    private static (SiloSettings Settings, List<string> Problems) Read(Dictionary<string, string?> environment, params string[] args)
    {
        var builder = new ConfigurationBuilder();
        var problems = new List<string>(SiloConfiguration.AddSources(builder, environment, args));
        return (SiloConfiguration.Read(builder.Build(), problems), problems);
    }

    [Fact]
    public void Read_SecretsFromFiles_SetTheSettings_OneTrailingLineBreakDropped()
    {
        var environment = new Dictionary<string, string?>
        {
            ["ORCH_STORE"] = "postgres",
            ["ORCH_CONNECTION_STRING_FILE"] = File("connection-string", "Host=db;Password=p w\n"),
            ["ORCH_AGENT_TOKEN_FILE"] = File("agent-token", "agent-token-value\r\n"),
            ["ORCH_ADMIN_TOKEN_FILE"] = File("admin-token", "admin-token-value-0123456789"),
            ["ORCH_JOBS_SECRET_FILE"] = File("jobs-secret", "jobs\n\n"),
        };

        var (settings, problems) = Read(environment);

        Assert.Empty(problems);
        Assert.Equal("Host=db;Password=p w", settings.Database.ConnectionString);
        Assert.Equal("agent-token-value", settings.Hosting.AgentToken);
        Assert.Equal("admin-token-value-0123456789", settings.Auth.AdminToken);
        Assert.Equal("jobs\n", settings.Hosting.JobsSecret); // only one line break is the file's end
    }

    [Fact]
    public void Read_ArgumentStillWinsOverAFile()
    {
        var environment = new Dictionary<string, string?> { ["ORCH_SILO_NAME_FILE"] = File("name", "from-file") };

        var (settings, problems) = Read(environment, "--silo-name", "from-args");

        Assert.Empty(problems);
        Assert.Equal("from-args", settings.Node.SiloName);
    }

    [Fact]
    public void Read_MissingEmptyOrDoubleSource_NameTheVariableNeverTheContent()
    {
        var environment = new Dictionary<string, string?>
        {
            ["ORCH_CONNECTION_STRING_FILE"] = Path.Combine(_directory, "absent"),
            ["ORCH_AGENT_TOKEN_FILE"] = File("empty", "\n"),
            ["ORCH_JOBS_SECRET"] = "secret-in-env",
            ["ORCH_JOBS_SECRET_FILE"] = File("jobs", "secret-in-file"),
            ["ORCH_ADMIN_TOKEN_FILE"] = "",
        };

        var (_, problems) = Read(environment);

        Assert.Contains(problems, p => p.StartsWith("ORCH_CONNECTION_STRING_FILE: cannot read '", StringComparison.Ordinal) && p.Contains("absent", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.StartsWith("ORCH_AGENT_TOKEN_FILE: '", StringComparison.Ordinal) && p.EndsWith("' is empty.", StringComparison.Ordinal));
        Assert.Contains("ORCH_JOBS_SECRET_FILE: ORCH_JOBS_SECRET is set too; set one of them.", problems);
        Assert.Contains(problems, p => p.StartsWith("ORCH_ADMIN_TOKEN_FILE: empty;", StringComparison.Ordinal));
        Assert.DoesNotContain(problems, p => p.Contains("secret-in", StringComparison.Ordinal));
    }

    [Fact]
    public void Read_FileOfAnUnknownName_IsLeftAloneLikeOtherUnknownVariables()
    {
        var environment = new Dictionary<string, string?> { ["ORCH_NO_SUCH_SETTING_FILE"] = "/nonexistent" };

        var (_, problems) = Read(environment);

        Assert.Empty(problems);
    }

    [Fact]
    public void Read_FileValue_IsValidatedLikeTheSetting()
    {
        var environment = new Dictionary<string, string?> { ["ORCH_SILO_PORT_FILE"] = File("port", "99999\n") };

        var (_, problems) = Read(environment);

        Assert.Contains(problems, p => p.StartsWith("SiloPort: 99999 is not a port", StringComparison.Ordinal));
    }
}
