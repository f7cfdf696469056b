using Orchestrator.GrainInterfaces;
using Orchestrator.Runtime.Tests.Durable.Infrastructure;
using Orleans;

namespace Orchestrator.Grains.Tests.Cluster;

/// <summary>
/// A message that keeps failing is parked and its receiver hears of it (<c>IDeadLetterObserver</c>, issue #9): the
/// domain grains end what it was part of instead of waiting for it.
/// </summary>
public sealed class DeadLetterTests : GrainClusterTests
{
    [Fact]
    public async Task TargetStart_KeepsFailing_ParkedAndTheTargetEndsFailedSoTheRunFails()
    {
        await Cluster.RegisterHostAsync("bad-1");
        await Cluster.RegisterHostAsync("good-1");
        // The target's store refuses its writes until the start is parked: the step's own delivery, then the outbox
        // attempts. A refused write is a transient failure for the sender, so it is parked only once the five attempts
        // are spent and the transient-failure tolerance (10 min) has passed. The notice's turn is the first write to go
        // through.
        var broken = Cluster.Client.GetGrain<IHostTargetGrain>("run-dead:0:bad-1").GetGrainId();
        Cluster.Storage.BeforeWrite = (grain, n) => grain == broken && Cluster.Durable.DeadLetters.Letters.Count == 0
            ? throw new InvalidOperationException($"write {n} refused by the test")
            : Task.CompletedTask;

        await Cluster.RunAsync("dead", """
            name: dead
            steps:
              - name: greet
                targets:
                  hosts: [bad-1, good-1]
                script: echo hello
            """, "run-dead");
        await Cluster.RunAssignmentAsync(await Cluster.WaitAssignmentAsync("good-1", _ => true, "good-1's assignment"), exitCode: 0);

        var view = await Cluster.Clock.AdvanceUntilAsync(
            () => Cluster.Client.GetGrain<ITaskInstanceGrain>("run-dead").GetAsync().AsTask(),
            v => v!.Status.IsFinal(),
            TimeSpan.FromSeconds(10),
            TimeSpan.FromMinutes(30),
            "the run to end once the start is parked");

        Assert.Equal(ExecutionStatus.Failed, view!.Status);
        var letter = Assert.Single(Cluster.Durable.DeadLetters.Letters).Letter;
        Assert.Equal((nameof(IHostTargetGrain.Start), broken.ToString()), (letter.Method, letter.Target));
        var target = await Cluster.Client.GetGrain<IHostTargetGrain>("run-dead:0:bad-1").GetAsync();
        var attempt = Assert.Single(target!.Attempts);
        Assert.Equal(TargetStatus.Failed, attempt.Status);
        Assert.StartsWith("could not start:", attempt.Error, StringComparison.Ordinal);
        Assert.Empty(Cluster.Assignments("bad-1"));
        var step = await Cluster.Client.GetGrain<IStepGrain>("run-dead:0").GetAsync();
        Assert.Equal((ExecutionStatus.Failed, 1, 1), (step!.Status, step.Succeeded, step.Failed));
    }
}
