using Orchestrator.Agent.Protocol;
using Orchestrator.Agent.Tests.Infrastructure;

namespace Orchestrator.Agent.Tests.Execution;

public sealed class CapacityTests
{
    [Fact]
    public async Task Agent_CapacityTwo_RunsAtMostTwoAndAsksForNoMore()
    {
        await using var harness = await AgentHarness.StartAsync(o => o.Capacity = 2);
        var release = Path.Combine(harness.Directory, "release");
        var started = Path.Combine(harness.Directory, "started");
        Directory.CreateDirectory(started);
        var assignments = Enumerable.Range(0, 5)
            .Select(_ => harness.Script($"touch \"{started}/$ORCH_ASSIGNMENT_ID\"\nwhile [ ! -e '{release}' ]; do sleep 0.05; done"))
            .ToArray();
        harness.Server.Enqueue(assignments);

        await Eventually.Until(() => Directory.GetFiles(started).Length, n => n == 2, "two scripts to start");
        var pollsAtFull = harness.Server.Polls().Count;
        // A poll made while both slots are taken asks for nothing and lists both as running.
        var full = await Eventually.Until(() => harness.Server.Polls().Skip(pollsAtFull).FirstOrDefault(p => p.Running.Count == 2),
            p => p is not null, "a poll with both slots taken");
        Assert.Equal(0, full!.MaxAssignments);
        Assert.Equal(2, Directory.GetFiles(started).Length);
        Assert.Equal(3, harness.Server.Queued(harness.Host));

        await File.WriteAllTextAsync(release, "");
        foreach (var assignment in assignments)
        {
            Assert.Equal(AgentOutcome.Succeeded, (await harness.Server.WaitForFinishedAsync(assignment.Id)).Outcome);
        }
        Assert.Equal(5, Directory.GetFiles(started).Length);
        Assert.Equal(2, harness.Server.MaxAssignmentsAsked);
    }
}
