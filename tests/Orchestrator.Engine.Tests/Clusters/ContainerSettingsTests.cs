using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Orchestrator.Containers.Clusters;
using Orchestrator.Containers.Execution;
using Orchestrator.Containers.Tests.Fake;
using Orchestrator.Engine.Tests.Infrastructure;
using Orchestrator.Grains.Containers;
using Orchestrator.Runtime.Tests.Infrastructure;
using Orchestrator.Silo;
using Orchestrator.Silo.Hosting;

namespace Orchestrator.Engine.Tests.Clusters;

/// <summary>
/// The options of container steps are silo settings like the others (<c>Container*</c> for the Job runner,
/// <c>Cluster*</c> for the probes): defaults, <c>ORCH_*</c> and arguments, checked with the setting's name; and a set
/// value reaches the cluster grains (against a FAKE API server: no real one can run here).
/// </summary>
public sealed class ContainerSettingsTests
{
    private static (SiloSettings Settings, List<string> Errors) Read(Dictionary<string, string?> environment, params string[] args)
    {
        var builder = new ConfigurationBuilder();
        var errors = new List<string>(SiloConfiguration.AddSources(builder, environment, args));
        return (SiloConfiguration.Read(builder.Build(), errors), errors);
    }

    [Fact]
    public void Read_Nothing_KeepsTheDefaults()
    {
        var (settings, errors) = Read([]);

        Assert.Empty(errors);
        Assert.Equal((TimeSpan.FromMinutes(2), TimeSpan.FromMinutes(5), TimeSpan.FromSeconds(30), TimeSpan.FromSeconds(1), 4L * 1024 * 1024, TimeSpan.FromSeconds(30)),
            (settings.JobRun.ImagePullGrace, settings.JobRun.UnreachableGrace, settings.JobRun.RequestTimeout, settings.JobRun.ReconnectDelay, settings.JobRun.LogBytesPerPod, settings.JobRun.LogDrainTimeout));
        Assert.Equal((TimeSpan.FromSeconds(30), TimeSpan.FromSeconds(5), 3),
            (settings.ClusterHealth.ProbeInterval, settings.ClusterHealth.ProbeTimeout, settings.ClusterHealth.UnhealthyAfter));
    }

    [Fact]
    public void Read_EnvironmentAndArguments_SetEachSettingArgumentsWinning()
    {
        var (settings, errors) = Read(new()
        {
            ["ORCH_CONTAINER_IMAGE_PULL_GRACE"] = "00:10:00",
            ["ORCH_CONTAINER_UNREACHABLE_GRACE"] = "00:01:00",
            ["ORCH_CONTAINER_LOG_BYTES_PER_POD"] = "1048576",
            ["ORCH_CLUSTER_PROBE_INTERVAL"] = "00:01:00",
            ["ORCH_CLUSTER_UNHEALTHY_AFTER"] = "5",
        }, "--container-request-timeout", "00:00:10", "--container-reconnect-delay", "00:00:02", "--container-log-drain-timeout", "00:00:05",
            "--cluster-probe-interval", "00:00:10", "--cluster-probe-timeout", "00:00:02");

        Assert.Empty(errors);
        var run = settings.JobRun;
        Assert.Equal((TimeSpan.FromMinutes(10), TimeSpan.FromMinutes(1), TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(2), 1048576L, TimeSpan.FromSeconds(5)),
            (run.ImagePullGrace, run.UnreachableGrace, run.RequestTimeout, run.ReconnectDelay, run.LogBytesPerPod, run.LogDrainTimeout));
        Assert.Equal((TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(2), 5),
            (settings.ClusterHealth.ProbeInterval, settings.ClusterHealth.ProbeTimeout, settings.ClusterHealth.UnhealthyAfter));
    }

    [Theory]
    [InlineData("--container-image-pull-grace", "00:00:00", "ContainerImagePullGrace: 00:00:00 is outside")]
    [InlineData("--container-request-timeout", "01:00:00", "ContainerRequestTimeout: 01:00:00 is outside")]
    [InlineData("--container-reconnect-delay", "-00:00:01", "ContainerReconnectDelay: -00:00:01 is outside")]
    [InlineData("--container-log-bytes-per-pod", "10", "ContainerLogBytesPerPod: 10 is outside")]
    [InlineData("--container-log-bytes-per-pod", "4MiB", "ContainerLogBytesPerPod: '4MiB' is not a whole number")]
    [InlineData("--cluster-probe-interval", "00:00:00.010", "ClusterProbeInterval: 00:00:00.0100000 is outside")]
    [InlineData("--cluster-probe-timeout", "soon", "ClusterProbeTimeout: 'soon' is not a duration")]
    [InlineData("--cluster-unhealthy-after", "0", "ClusterUnhealthyAfter: 0 is outside")]
    public void Read_BadValue_IsAnErrorNamingTheSetting(string argument, string value, string expected)
    {
        var (_, errors) = Read([], argument, value);

        Assert.Contains(errors, e => e.StartsWith(expected, StringComparison.Ordinal));
    }

    [Fact]
    public void Start_OptionsConfiguredBadlyInCode_FailValidationNamingTheOption()
    {
        using var services = new ServiceCollection().AddContainerSteps(run => run.LogDrainTimeout = TimeSpan.Zero, health => health.UnhealthyAfter = 0).BuildServiceProvider();

        var run = Assert.Throws<OptionsValidationException>(() => services.GetRequiredService<IOptions<JobRunOptions>>().Value);
        var health = Assert.Throws<OptionsValidationException>(() => services.GetRequiredService<IOptions<ClusterHealthOptions>>().Value);

        Assert.StartsWith("JobRunOptions.LogDrainTimeout: 00:00:00 is outside", Assert.Single(run.Failures), StringComparison.Ordinal);
        Assert.StartsWith("ClusterHealthOptions.UnhealthyAfter: 0 is outside", Assert.Single(health.Failures), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Silo_ClusterSettings_ReachTheClusterGrainsProbes()
    {
        // Probe every 200 ms and call a cluster unhealthy at its first failure (defaults: 30 s and 3).
        var (settings, errors) = Read(new() { ["ORCH_CLUSTER_PROBE_INTERVAL"] = "00:00:00.200", ["ORCH_CLUSTER_UNHEALTHY_AFTER"] = "1" });
        Assert.Empty(errors);
        var dir = Directory.CreateTempSubdirectory("orch-k8s-settings-").FullName;
        await using var fake = await FakeCluster.StartAsync("set-1");
        await using var h = await EngineHarness.StartAsync(EngineStores.Postgres("containersettings"),
            siloServices: s => s.AddContainerSteps(clusterHealth: o => SiloComposition.CopyTo(settings.ClusterHealth, o)));
        try
        {
            await ContainerClustersFixture.RegisterAsync(h, dir, "set-1", fake, [], capacity: 1);
            var checkedAt = LastChecked(await ContainerClustersFixture.WaitForHealthAsync(h, "set-1", "Healthy"));

            // A second probe within seconds (at the default interval it would take 30) ...
            await Eventually.Until(() => ContainerClustersFixture.ClusterAsync(h, "set-1"), c => LastChecked(c) > checkedAt, TimeSpan.FromSeconds(10), "a probe after the first, at the set interval");
            await fake.RefuseConnectionsAsync();
            var failed = await Eventually.Until(() => ContainerClustersFixture.ClusterAsync(h, "set-1"),
                c => c["health"]?["consecutiveFailures"]?.GetValue<int>() >= 1, ContainerClustersFixture.Wait, "a failed probe");

            // ... and one failure is enough: whatever view shows a failure shows the cluster unhealthy.
            Assert.Equal("Unhealthy", failed["health"]!["status"]!.GetValue<string>());
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    private static DateTimeOffset LastChecked(System.Text.Json.Nodes.JsonNode cluster) => cluster["health"]!["lastCheckedAt"]!.GetValue<DateTimeOffset>();
}
