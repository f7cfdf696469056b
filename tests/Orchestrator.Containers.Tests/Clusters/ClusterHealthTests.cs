using k8s;
using Orchestrator.Containers.Clusters;
using Orchestrator.Containers.Tests.Fake;
using Orchestrator.Runtime.Tests.Infrastructure;

namespace Orchestrator.Containers.Tests.Clusters;

/// <summary>Cluster health from probes of a FAKE API server (<see cref="FakeCluster"/>: no real one can run here).</summary>
public sealed class ClusterHealthTests
{
    private static readonly DateTimeOffset Start = new(2026, 12, 5, 12, 0, 0, TimeSpan.Zero);
    private static readonly ClusterHealthOptions Options = new() { UnhealthyAfter = 3, ProbeTimeout = TimeSpan.FromSeconds(5) };

    private static ClusterProbeResult Failed(int second) => new(false, null, "refused", Start.AddSeconds(second), TimeSpan.Zero);

    private static ClusterProbeResult Answered(int second) => new(true, "v1.31.0", null, Start.AddSeconds(second), TimeSpan.Zero);

    [Fact]
    public void Observe_FailuresBelowThreshold_StaysHealthy_AtThreshold_Unhealthy_OneAnswer_HealthyAgain()
    {
        var health = ClusterHealth.Unknown.Observe(Answered(0), Options);
        health = health.Observe(Failed(30), Options).Observe(Failed(60), Options);
        Assert.Equal((ClusterHealthStatus.Healthy, 2, "refused"), (health.Status, health.ConsecutiveFailures, health.LastError));

        health = health.Observe(Failed(90), Options);
        Assert.Equal(ClusterHealthStatus.Unhealthy, health.Status);
        Assert.Equal(Start, health.LastHealthyAt);
        Assert.Equal(Start.AddSeconds(90), health.LastCheckedAt);

        health = health.Observe(Answered(120), Options);
        Assert.Equal(new ClusterHealth(ClusterHealthStatus.Healthy, 0, null, Start.AddSeconds(120), Start.AddSeconds(120), "v1.31.0"), health);
    }

    [Fact]
    public async Task ProbeAsync_ClusterGoesUnreachableAndComesBack_UnhealthyNotChosenThenHealthyAndChosen()
    {
        await using var east = await FakeCluster.StartAsync("east");
        await using var west = await FakeCluster.StartAsync("west");
        using var eastClient = east.Client();
        using var westClient = west.Client();
        var health = new Dictionary<string, ClusterHealth> { ["east"] = ClusterHealth.Unknown, ["west"] = ClusterHealth.Unknown };

        async Task ProbeAll()
        {
            health["east"] = health["east"].Observe(await ClusterProbe.ProbeAsync(eastClient, Options, TimeProvider.System, CancellationToken.None), Options);
            health["west"] = health["west"].Observe(await ClusterProbe.ProbeAsync(westClient, Options, TimeProvider.System, CancellationToken.None), Options);
        }
        string? Pick() => ClusterPicker.Pick(
            [new("east", new Dictionary<string, string>(), 10, 0, health["east"].Status), new("west", new Dictionary<string, string>(), 4, 0, health["west"].Status)],
            null, ["east", "west"], ClusterPickMode.One).Chosen.SingleOrDefault();

        await ProbeAll();
        Assert.Equal("v1.31.0-fake", health["east"].ServerVersion);
        Assert.Equal("east", Pick());

        await east.RefuseConnectionsAsync();
        await ProbeAll();
        await ProbeAll();
        Assert.Equal(ClusterHealthStatus.Healthy, health["east"].Status);
        await ProbeAll();
        Assert.Equal(ClusterHealthStatus.Unhealthy, health["east"].Status);
        Assert.Contains("Connection refused", health["east"].LastError, StringComparison.OrdinalIgnoreCase);
        Assert.Equal("west", Pick());

        await east.RestoreAsync();
        await ProbeAll();
        Assert.Equal(ClusterHealthStatus.Healthy, health["east"].Status);
        Assert.Equal("east", Pick());
    }

    [Fact]
    public async Task ProbeAsync_ServerStopsAnswering_FailsAtTheTimeoutOnTheGivenClock()
    {
        await using var cluster = await FakeCluster.StartAsync();
        using var client = cluster.Client();
        var time = new ManualTimeProvider(Start);
        cluster.StopAnswering();

        var probe = ClusterProbe.ProbeAsync(client, Options, time, CancellationToken.None);
        await Eventually.Until(() => Task.FromResult(cluster.Requests.Count), n => n == 1, TimeSpan.FromSeconds(10), "the probe's request to arrive");
        Assert.False(probe.IsCompleted);
        time.Advance(TimeSpan.FromSeconds(5));
        var result = await probe.WaitAsync(TimeSpan.FromSeconds(10));
        await cluster.RestoreAsync();

        Assert.False(result.Healthy);
        Assert.Equal("no answer to GET /version within 00:00:05", result.Error);
        Assert.Equal(TimeSpan.FromSeconds(5), result.Took);
    }
}
