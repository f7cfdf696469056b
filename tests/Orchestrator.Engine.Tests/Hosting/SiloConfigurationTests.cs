using Microsoft.Extensions.Configuration;
using Orchestrator.Engine.Tests.Infrastructure;
using Orchestrator.Silo;

namespace Orchestrator.Engine.Tests.Hosting;

public sealed class SiloConfigurationTests
{
    private static (SiloSettings Settings, List<string> Errors) Read(IEnumerable<(string Key, string Value)> appsettings, Dictionary<string, string?> environment, params string[] args)
    {
        var builder = new ConfigurationBuilder().AddInMemoryCollection(appsettings.Select(v => new KeyValuePair<string, string?>(v.Key, v.Value)));
        var errors = new List<string>(SiloConfiguration.AddSources(builder, environment, args));
        var settings = SiloConfiguration.Read(builder.Build(), errors);
        return (settings, errors);
    }

    private static (SiloSettings Settings, List<string> Errors) Read(params string[] args) => Read([], [], args);

    [Fact]
    public void Read_ArgumentsOverrideEnvironmentOverrideAppSettings()
    {
        var environment = new Dictionary<string, string?>
        {
            ["ORCH_SILO_NAME"] = "from-env", ["ORCH_CLUSTER_ID"] = "env-cluster", ["ORCH_AGENT_TOKEN"] = "shared", ["ORCH_MAX_DELIVERY_ATTEMPTS"] = "7", ["PATH"] = "/bin",
        };

        var (settings, errors) = Read([("Orchestrator:Store", "postgres"), ("Orchestrator:ClusterId", "file-cluster"), ("Orchestrator:SiloPort", "12000")], environment,
            "--silo-name", "from-args", "--connection-string", "Host=db", "--gateway-port=31000", "--urls", "http://x");

        Assert.Empty(errors);
        Assert.Equal("postgres", settings.Database.Store);
        Assert.Equal("Host=db", settings.Database.ConnectionString);
        Assert.Equal("from-args", settings.Node.SiloName);
        Assert.Equal("env-cluster", settings.Node.ClusterId);
        Assert.Equal(12000, settings.Node.SiloPort);
        Assert.Equal(31000, settings.Node.GatewayPort);
        Assert.Equal("shared", settings.Hosting.AgentToken);
        Assert.Equal(7, settings.Durable.MaxDeliveryAttempts);
    }

    [Fact]
    public void Read_OrleansSettings_HaveOrchNames()
    {
        var environment = new Dictionary<string, string?>
        {
            ["ORCH_CLUSTER_ID"] = "c1", ["ORCH_SERVICE_ID"] = "s1", ["ORCH_SILO_PORT"] = "11112", ["ORCH_GATEWAY_PORT"] = "30001",
            ["ORCH_ADVERTISED_ADDRESS"] = "10.0.0.7", ["ORCH_KUBERNETES"] = "true",
        };

        var (settings, errors) = Read([], environment);

        Assert.Empty(errors);
        Assert.Equal(("c1", "s1", 11112, 30001, "10.0.0.7", true),
            (settings.Node.ClusterId, settings.Node.ServiceId, settings.Node.SiloPort, settings.Node.GatewayPort, settings.Node.AdvertisedAddress, settings.Node.Kubernetes));
    }

    [Fact]
    public void Read_BadValues_NameTheSettingAndTheProblem()
    {
        var environment = new Dictionary<string, string?> { ["ORCH_SWEEP_INTERVAL"] = "soon" };

        var (_, errors) = Read([("Orchestrator:Colour", "blue")], environment, "--silo-port", "0", "--advertised-address", "here", "--store");

        Assert.Contains(errors, e => e.StartsWith("Orchestrator:Colour: unknown setting", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.Contains("'Orchestrator:SweepInterval'", StringComparison.Ordinal) && e.Contains("TimeSpan", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("--store: a value is required", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("SiloPort: 0 is not a port", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("AdvertisedAddress: 'here' is not an IP address", StringComparison.Ordinal));
    }

    [Fact]
    public void Read_SettingsOfTheReplacedRuntime_AreRefusedWithWhatReplacedThem()
    {
        var (_, errors) = Read([("Orchestrator:LeaseTime", "00:00:15")], [], "--shard-count", "8", "--max-message-attempts", "3");

        Assert.Contains(errors, e => e.StartsWith("--shard-count: no longer used", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("--max-message-attempts: replaced by MaxDeliveryAttempts", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("Orchestrator:LeaseTime: no longer used", StringComparison.Ordinal));
    }

    [Fact]
    public void Read_UnknownArgument_IsAnErrorListingTheKnownSettings()
    {
        var (_, errors) = Read("--colour", "blue");

        var error = Assert.Single(errors);
        Assert.StartsWith("--colour: unknown setting; known settings are ", error, StringComparison.Ordinal);
        Assert.Contains("ClusterId", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Read_PostgresWithoutAgentToken_IsAnErrorNamingTheSetting()
    {
        var (_, errors) = Read("--store", "postgres", "--connection-string", "Host=db");

        var error = Assert.Single(errors);
        Assert.StartsWith("AgentToken: required with the postgres store", error, StringComparison.Ordinal);
        Assert.Contains("ORCH_AGENT_TOKEN", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Read_AdminTokenAndJwtSettings_BoundFromArgumentsAndEnvironment()
    {
        var (settings, errors) = Read([], new Dictionary<string, string?> { ["ORCH_ADMIN_TOKEN"] = "an-admin-token-of-32-characters!" },
            "--jwt-issuer", "https://idp.example", "--jwt-audience", "orch", "--jwt-signing-key", "base64:" + Convert.ToBase64String(new byte[32]),
            "--jwt-name-claim", "email");

        Assert.Empty(errors);
        Assert.Equal("an-admin-token-of-32-characters!", settings.Auth.AdminToken);
        Assert.True(settings.Auth.JwtEnabled);
        Assert.Equal(("https://idp.example", "orch", "email", "roles"), (settings.Auth.JwtIssuer, settings.Auth.JwtAudience, settings.Auth.JwtNameClaim, settings.Auth.JwtRolesClaim));
    }

    [Fact]
    public void Read_JwtIssuerWithoutAudienceOrKey_AreErrorsNamingTheSettings()
    {
        var (_, errors) = Read("--jwt-issuer", "https://idp.example", "--admin-token", "short");

        Assert.Contains(errors, e => e.StartsWith("JwtAudience:", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("JwtSigningKey:", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("AdminToken: 5 characters is too short", StringComparison.Ordinal));
        Assert.DoesNotContain(errors, e => e.Contains("short\"", StringComparison.Ordinal) || e.Contains("'short'", StringComparison.Ordinal));
    }

    [Fact]
    public void Read_SqliteWithoutAgentTokenOrJobsSecret_IsFine()
    {
        var (settings, errors) = Read();

        Assert.Empty(errors);
        Assert.Equal("sqlite", settings.Database.Store);
        Assert.Equal("", settings.Hosting.AgentToken);
        Assert.Equal("", settings.Hosting.JobsSecret);
        Assert.Equal((11111, 30000), (settings.Node.SiloPort, settings.Node.GatewayPort));
    }

    [Theory]
    [InlineData("-x")]
    [InlineData("a b")]
    public void Read_LocalAgentHostAgentsCannotRegister_IsAnErrorNamingTheSetting(string host)
    {
        var (_, errors) = Read("--local-agent-host", host);

        Assert.Contains(errors, e => e.StartsWith("LocalAgentHost: ", StringComparison.Ordinal) && e.Contains("is not a host name", StringComparison.Ordinal));
    }

    [Fact]
    public void Read_NonPositiveDrainTime_IsAnErrorNamingTheSetting()
    {
        var (_, errors) = Read("--shutdown-drain-timeout", "00:00:00");

        Assert.Contains(errors, e => e.StartsWith("ShutdownDrainTimeout: 00:00:00 must be positive", StringComparison.Ordinal));
    }

    [Fact]
    public void UseKubernetes_FollowsTheSettingElseThePodEnvironment()
    {
        var pod = new Dictionary<string, string?> { ["KUBERNETES_SERVICE_HOST"] = "10.96.0.1" };

        Assert.True(new SiloNodeOptions().UseKubernetes(pod));
        Assert.False(new SiloNodeOptions().UseKubernetes(new Dictionary<string, string?>()));
        Assert.False(new SiloNodeOptions { Kubernetes = false }.UseKubernetes(pod));
    }

    [Fact]
    public void CopyTo_EveryOptionSetFromConfiguration_ReachesTheSilosOptions()
    {
        var durable = new Orchestrator.Runtime.Durable.DurableOptions
        {
            StorageName = "other", MaxDeliveryAttempts = 7, TransientFailureTolerance = TimeSpan.FromMinutes(3),
            RetryBackoffBase = TimeSpan.FromSeconds(2), RetryBackoffMax = TimeSpan.FromMinutes(2), MaxConcurrentDeliveries = 9,
            AppliedKeysLimit = 11, AppliedKeysRetention = TimeSpan.FromHours(2), SweepInterval = TimeSpan.FromSeconds(3),
            SweepGrace = TimeSpan.FromSeconds(4), AckWriteDelay = TimeSpan.FromSeconds(5), SweepBatchSize = 13, SweepConcurrency = 15, SweeperKeepAlive = TimeSpan.FromMinutes(4),
        };
        var database = new Orchestrator.Runtime.Persistence.OrchestratorDatabaseOptions
        {
            Store = "postgres", ConnectionString = "Host=db", LogMaxBytesPerStream = 17, MaxBlobBytes = 19, CommitBatchSize = 21, CommitConcurrency = 23, ReadBatchSize = 25, ReadConcurrency = 27,
        };
        var durableCopy = new Orchestrator.Runtime.Durable.DurableOptions();
        var databaseCopy = new Orchestrator.Runtime.Persistence.OrchestratorDatabaseOptions();

        Orchestrator.Silo.Hosting.SiloComposition.CopyTo(durable, durableCopy);
        Orchestrator.Silo.Hosting.SiloComposition.CopyTo(database, databaseCopy);

        Assert.Equal(System.Text.Json.JsonSerializer.Serialize(durable), System.Text.Json.JsonSerializer.Serialize(durableCopy));
        Assert.Equal(System.Text.Json.JsonSerializer.Serialize(database), System.Text.Json.JsonSerializer.Serialize(databaseCopy));
        Assert.Equal(TimeSpan.FromMinutes(3), durableCopy.TransientFailureTolerance); // the option the hand-written copy missed
    }

    [Fact]
    public async Task StorageName_Set_TheGrainsWriteToTheStorageOfThatName()
    {
        // Before, the silo registered its storage as "Default" whatever the setting said: every grain failed to activate.
        await using var h = await EngineHarness.StartAsync(EngineStores.Sqlite(), durable: d => d.StorageName = "orchestrator");

        var plan = await h.PutPlanAsync(Orchestrator.Engine.Tests.Schedules.ScheduleFixture.GatePlan);
        var id = await h.RunAsync(plan);

        await h.WaitForStepAsync(id, 0, TimeSpan.FromSeconds(60), "waitingForApproval");
    }
}
