using Microsoft.Extensions.Configuration;
using Orchestrator.Silo;

namespace Orchestrator.Runtime.Tests.Hosting;

public sealed class SiloConfigurationTests
{
    private static IConfiguration Settings(params (string Key, string Value)[] values) =>
        new ConfigurationBuilder().AddInMemoryCollection(values.Select(v => new KeyValuePair<string, string?>(v.Key, v.Value))).Build();

    [Fact]
    public void Read_ArgumentsOverrideEnvironmentOverrideAppSettings()
    {
        var settings = Settings(("Orchestrator:Store", "postgres"), ("Orchestrator:ShardCount", "64"), ("Orchestrator:LeaseTime", "00:00:20"));
        var environment = new Dictionary<string, string?> { ["ORCH_SHARD_COUNT"] = "128", ["ORCH_SILO_NAME"] = "from-env", ["ORCH_AGENT_TOKEN"] = "shared", ["PATH"] = "/bin" };

        var options = SiloConfiguration.Read(settings, environment, ["--silo-name", "from-args", "--connection-string", "Host=db", "--urls", "http://x"], out var errors);

        Assert.Empty(errors);
        Assert.Equal("postgres", options.Store);
        Assert.Equal(128, options.ShardCount);
        Assert.Equal(TimeSpan.FromSeconds(20), options.LeaseTime);
        Assert.Equal("from-args", options.SiloName);
        Assert.Equal("Host=db", options.ConnectionString);
    }

    [Fact]
    public void Read_BadValues_NameTheSettingAndTheProblem()
    {
        var environment = new Dictionary<string, string?> { ["ORCH_LEASE_TIME"] = "soon" };

        SiloConfiguration.Read(Settings(("Orchestrator:Colour", "blue")), environment, ["--shard-count", "0", "--store"], out var errors);

        Assert.Contains(errors, e => e.StartsWith("appsettings Orchestrator:Colour: unknown setting", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("ORCH_LEASE_TIME: 'soon' is not a valid time span", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("--store: a value is required", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("ShardCount: 0 is out of range", StringComparison.Ordinal));
    }

    [Fact]
    public void Read_PostgresWithoutAgentToken_IsAnErrorNamingTheSetting()
    {
        SiloConfiguration.Read(Settings(), new Dictionary<string, string?>(), ["--store", "postgres", "--connection-string", "Host=db"], out var errors);

        var error = Assert.Single(errors);
        Assert.StartsWith("AgentToken: required with the postgres store", error, StringComparison.Ordinal);
        Assert.Contains("ORCH_AGENT_TOKEN", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Read_SqliteWithoutAgentTokenOrJobsSecret_IsFine()
    {
        var options = SiloConfiguration.Read(Settings(), new Dictionary<string, string?>(), [], out var hosting, out var errors);

        Assert.Empty(errors);
        Assert.Equal("sqlite", options.Store);
        Assert.Equal("", hosting.AgentToken);
        Assert.Equal("", hosting.JobsSecret);
    }

    [Theory]
    [InlineData("-x")]
    [InlineData("a b")]
    public void Read_LocalAgentHostAgentsCannotRegister_IsAnErrorNamingTheSetting(string host)
    {
        SiloConfiguration.Read(Settings(), new Dictionary<string, string?>(), ["--local-agent-host", host], out var errors);

        Assert.Contains(errors, e => e.StartsWith("LocalAgentHost: ", StringComparison.Ordinal) && e.Contains("is not a host name", StringComparison.Ordinal));
    }

    [Fact]
    public void Read_NonPositiveDrainTime_IsAnErrorNamingTheSetting()
    {
        SiloConfiguration.Read(Settings(), new Dictionary<string, string?>(), ["--shutdown-drain-timeout", "00:00:00"], out var errors);

        Assert.Contains(errors, e => e.StartsWith("ShutdownDrainTimeout: 00:00:00 must be greater than", StringComparison.Ordinal));
    }
}
