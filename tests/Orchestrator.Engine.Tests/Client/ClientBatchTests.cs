using Orchestrator.Client;
using Orchestrator.Engine.Tests.EndToEnd;
using Orchestrator.Engine.Tests.Infrastructure;

namespace Orchestrator.Engine.Tests.Client;

/// <summary>The instance view's rolling batch per step (<c>batch</c> of <c>batchCount</c>), read through the client.</summary>
[Collection(FleetCollection.Name)]
public sealed class ClientBatchTests(FleetFixture fleet)
{
    private EngineHarness H => fleet.Harness;

    [Fact]
    public async Task GetInstanceAsync_RollingStepPausedAfterFirstBatch_BatchOneOfTwoThenTwoOfTwoAndPendingStepNone()
    {
        using var client = new OrchestratorClient(new OrchestratorClientOptions
        {
            BaseAddress = new Uri(H.Server),
            Token = H.AdminToken,
            PollInterval = TimeSpan.FromMilliseconds(100),
        });
        var plan = await client.PutPlanAsync("bat" + Guid.NewGuid().ToString("N")[..10], """
            name: client-batches
            steps:
              - name: roll
                targets:
                  hosts: [web-1, web-2]
                script: "echo rolled"
                execution:
                  rolling: {expression: "1", mode: confirm}
              - name: after
                targets:
                  hosts: [db-1]
                script: "echo after"
            """);
        var run = await client.RunPlanAsync(plan.Id);
        InstanceProgress? paused = null;
        await foreach (var progress in client.WatchAsync(run.Id))
        {
            if (progress.Steps[0].Status == ExecutionStatus.Paused || progress.Status.IsFinal())
            {
                paused = progress;
                break;
            }
        }

        Assert.Equal(ExecutionStatus.Paused, paused!.Steps[0].Status);
        Assert.Equal((1, 2), (paused.Steps[0].Batch, paused.Steps[0].BatchCount));
        Assert.Equal((null, null), ((int?)paused.Steps[1].Batch, (int?)paused.Steps[1].BatchCount));

        await client.ContinueStepAsync(run.Id, 0, "next batch");
        var done = await ClientRetryTests.LastAsync(client.WatchAsync(run.Id));

        Assert.Equal(ExecutionStatus.Succeeded, done.Status);
        Assert.Equal((2, 2), (done.Steps[0].Batch, done.Steps[0].BatchCount));
        Assert.Equal((1, 1), (done.Steps[1].Batch, done.Steps[1].BatchCount));
    }
}
