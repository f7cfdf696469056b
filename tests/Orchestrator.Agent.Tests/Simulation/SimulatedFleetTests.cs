using System.Diagnostics;
using Microsoft.Extensions.Logging;
using Orchestrator.Agent.Protocol;
using Orchestrator.Agent.Reporting;
using Orchestrator.Agent.Simulation;
using Orchestrator.Agent.Tests.Infrastructure;
using Xunit.Abstractions;

namespace Orchestrator.Agent.Tests.Simulation;

public sealed class SimulatedFleetTests(ITestOutputHelper output)
{
    [Fact]
    public async Task SimulatedFleet_ThousandHosts_CompletesThousandAssignments()
    {
        await using var harness = await AgentHarness.StartServerAsync();
        harness.StartAgent(o => o.Simulate = 1000);
        await Eventually.True(() => harness.Server.Registrations().Count > 0, "the fleet to register");
        var hosts = harness.Server.Registrations()[0].Hosts.Select(h => h.Host).ToArray();
        var assignments = hosts.Select(host => new Assignment { Id = harness.NewId("sim"), Host = host, Kind = AssignmentKind.Script }).ToArray();

        var stopwatch = Stopwatch.StartNew();
        harness.Server.Enqueue(assignments);
        await Eventually.True(() => harness.Server.FinishedCount() == 1000, "1,000 Finished events");
        output.WriteLine($"1,000 assignments in {stopwatch.ElapsedMilliseconds} ms");

        Assert.Equal(1000, hosts.Length);
        Assert.Equal("sim-00001", hosts[0]);
        Assert.Equal("sim-01000", hosts[^1]);
        Assert.All(harness.Server.Registrations()[0].Hosts, h => Assert.Equal("test", h.Labels["env"]));
        var events = harness.Server.Events();
        Assert.DoesNotContain(events, e => e.Type != AgentEventType.Finished);
        Assert.All(events, e =>
        {
            Assert.Equal(AgentOutcome.Succeeded, e.Outcome);
            Assert.Equal(0, e.ExitCode);
            Assert.Equal(0, e.LogChunks);
            Assert.NotNull(e.StartedAt);
        });
        Assert.Single(harness.Server.Registrations());
        Assert.Contains(harness.Server.Heartbeats(), h => h.Hosts.Count == 1000);
    }

    [Fact]
    public async Task SimulatedFleet_TwentyThousandAssignments_SustainsThousandsPerSecond()
    {
        await using var harness = await AgentHarness.StartServerAsync();
        harness.StartAgent(o =>
        {
            o.Simulate = 1000;
            o.HostsPerPoll = 500;
        });
        await Eventually.True(() => harness.Server.Registrations().Count > 0, "the fleet to register");
        var hosts = harness.Server.Registrations()[0].Hosts.Select(h => h.Host).ToArray();
        var assignments = Enumerable.Range(0, 20_000)
            .Select(i => new Assignment { Id = $"load-{i}", Host = hosts[i % hosts.Length], Kind = AssignmentKind.Script }).ToArray();

        var stopwatch = Stopwatch.StartNew();
        harness.Server.Enqueue(assignments);
        await Eventually.True(() => harness.Server.FinishedCount() == 20_000, "20,000 Finished events", TimeSpan.FromSeconds(60));
        var rate = 20_000 / stopwatch.Elapsed.TotalSeconds;
        output.WriteLine($"20,000 assignments in {stopwatch.ElapsedMilliseconds} ms: {rate:0} per second");

        // Two polls (500 hosts each) and the event batches of up to 1,000: far fewer calls than assignments.
        Assert.True(harness.Server.Polls().Count < 2_000, $"{harness.Server.Polls().Count} polls");
    }

    [Fact]
    public void Accept_AHostGivenTheTargetItRanLast_LogsAndCountsTheRepeat()
    {
        var logs = new CapturedLogs();
        var fleet = new SimulatedFleet(new AgentOptions { Simulate = 2 }, new ReportQueue(1 << 20, TimeProvider.System), TimeProvider.System, logs);

        fleet.Accept([Script("s1:sim-00001#1", "sim-00001"), Script("s1:sim-00002#1", "sim-00002"), Script("s2:sim-00001#1", "sim-00001")]);
        Assert.Equal(0, fleet.Repeats); // each host ran each target once
        fleet.Accept([Script("s2:sim-00001#1", "sim-00001")]); // the same assignment again: held, not run again
        Assert.Equal(0, fleet.Repeats);
        fleet.Accept([Script("s2:sim-00001#2", "sim-00001")]); // the target it ran last, once more

        Assert.Equal(1, fleet.Repeats);
        var warning = Assert.Single(logs.Entries, e => e.EventId == 1901);
        Assert.Equal(LogLevel.Warning, warning.Level);
        Assert.Contains("sim-00001 executed s2:sim-00001 again (assignment s2:sim-00001#2)", warning.Message, StringComparison.Ordinal);
    }

    private static Assignment Script(string id, string host) => new() { Id = id, Host = host, Kind = AssignmentKind.Script };
}
