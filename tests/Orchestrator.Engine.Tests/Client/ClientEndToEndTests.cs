using Orchestrator.Client;
using Orchestrator.Engine.Tests.EndToEnd;
using Orchestrator.Engine.Tests.Infrastructure;

namespace Orchestrator.Engine.Tests.Client;

/// <summary>
/// The C# client against the real API, silo and agents of the fleet: a plan put, run, watched to its end and its logs
/// read and followed; a watch stopped by its token.
/// </summary>
[Collection(FleetCollection.Name)]
public sealed class ClientEndToEndTests(FleetFixture fleet)
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(90);
    private static readonly string[] Hosts = ["web-1", "web-2", "db-1"];

    private EngineHarness H => fleet.Harness;

    private OrchestratorClient NewClient() => new(new OrchestratorClientOptions
    {
        BaseAddress = new Uri(H.Server),
        Token = H.AdminToken,
        PollInterval = TimeSpan.FromMilliseconds(100),
    });

    [Fact]
    public async Task WatchAsync_PlanRunOnThreeHosts_YieldsEveryChangeUntilFinalAndLogsRead()
    {
        using var client = NewClient();
        var gate = Path.Combine(fleet.Scratch, "gate-" + Guid.NewGuid().ToString("N")[..8]);
        var planId = "client" + Guid.NewGuid().ToString("N")[..10];
        var saved = await client.PutPlanAsync(planId, $$$"""
            name: client-e2e
            parameters:
              - name: greeting
                required: true
            steps:
              - name: greet
                targets:
                  hosts: [web-1, web-2, db-1]
                script:
                  interpreter: bash
                  source: |
                    echo "${{ params.greeting }} from $ORCH_HOST"
                    while [ ! -f {{{gate}}} ]; do sleep 0.05; done
                    echo "done on $ORCH_HOST"
            """);
        Assert.Equal(new PlanSaved(planId, 1), saved);
        Assert.True(saved.Created);

        var run = await client.RunPlanAsync(planId, new Dictionary<string, string> { ["greeting"] = "hello" });
        Assert.Equal(planId, run.PlanId);
        Assert.Equal(1, run.PlanVersion);
        using var timeout = new CancellationTokenSource(Wait);
        var follow = CollectAsync(client.FollowLogAsync(run.Id, 0, "db-1", cancellationToken: timeout.Token));

        var seen = new List<InstanceProgress>();
        try
        {
            await foreach (var progress in client.WatchAsync(run.Id, timeout.Token))
            {
                seen.Add(progress);
                // Every script waits at the gate: three running at once is a state the watch must see before the end.
                if (progress.Steps is [var step] && step.Count(TargetStatus.Running) == 3 && !File.Exists(gate))
                {
                    await File.WriteAllTextAsync(gate, "");
                }
            }
        }
        catch (OperationCanceledException)
        {
            Assert.Fail($"The watch did not end within {Wait}; it saw: {Describe(seen)}");
        }

        var last = seen[^1];
        Assert.True(last.IsFinal, Describe(seen));
        Assert.Equal(ExecutionStatus.Succeeded, last.Status);
        Assert.Equal(3, last.Steps[0].Count(TargetStatus.Succeeded));
        var running = seen.FindIndex(p => p.Steps.Count == 1 && p.Steps[0].Count(TargetStatus.Running) == 3);
        Assert.True(running >= 0 && running < seen.Count - 1, $"three running before the end: {Describe(seen)}");
        for (var i = 1; i < seen.Count; i++)
        {
            Assert.True(Key(seen[i]) != Key(seen[i - 1]), $"yielded twice without a change at {i}: {Describe(seen)}");
        }

        Assert.Contains("hello from web-2", await client.ReadLogTextAsync(run.Id, 0, "web-2"));
        var page = await client.ReadLogAsync(run.Id, 0, "web-1");
        Assert.True(page.Complete);
        Assert.Equal(["hello from web-1", "done on web-1"], page.Chunks.SelectMany(c => c.Text.Split('\n', StringSplitOptions.RemoveEmptyEntries)));
        var followed = string.Concat((await follow).Select(c => c.Text));
        Assert.Equal("hello from db-1\ndone on db-1\n", followed);

        var targets = await client.ListTargetsAsync(run.Id, 0, [TargetStatus.Succeeded]);
        Assert.Equal(Hosts.Order(), targets.Items.Select(t => t.Host).Order());
        Assert.All(targets.Items, t => Assert.Equal(0, t.Target.ExitCode));
        var target = await client.GetTargetAsync(run.Id, 0, "db-1");
        Assert.Equal(TargetStatus.Succeeded, target.Status);
        Assert.Contains(run.Id, (await client.GetPlanAsync(planId)).RecentInstances);
        Assert.Equal("hello", (await client.GetInstanceAsync(run.Id)).Parameters["greeting"]);
    }

    [Fact]
    public async Task WatchAsync_TokenCancelled_EndsTheWatchWhileTheRunWaits()
    {
        using var client = NewClient();
        var planId = "client" + Guid.NewGuid().ToString("N")[..10];
        await client.PutPlanAsync(planId, """
            name: client-waits
            steps:
              - name: sign-off
                approval:
                  approvers: [alice]
            """);
        var run = await client.RunPlanAsync(planId);
        using var stop = new CancellationTokenSource();
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(stop.Token);
        timeout.CancelAfter(Wait);
        var seen = new List<InstanceProgress>();

        var watch = Assert.ThrowsAnyAsync<OperationCanceledException>(async () =>
        {
            await foreach (var progress in client.WatchAsync(run.Id, timeout.Token))
            {
                seen.Add(progress);
                if (progress.Status == ExecutionStatus.WaitingForApproval)
                {
                    await stop.CancelAsync();
                }
            }
        });

        await watch;
        Assert.True(stop.IsCancellationRequested, $"the watch ended by the timeout, not the test's token: {Describe(seen)}");
        Assert.Equal(ExecutionStatus.WaitingForApproval, seen[^1].Status);
        var cancelled = await client.CancelInstanceAsync(run.Id, "test over");
        Assert.Equal(new ControlResult(run.Id, "cancel", null), cancelled);
    }

    private static async Task<List<LogChunk>> CollectAsync(IAsyncEnumerable<LogChunk> chunks)
    {
        var list = new List<LogChunk>();
        await foreach (var chunk in chunks)
        {
            list.Add(chunk);
        }
        return list;
    }

    private static string Key(InstanceProgress p) =>
        $"{p.Status} {p.CurrentStep} " + string.Join(";", p.Steps.Select(s => $"{s.Status}:{string.Join(",", (s.Targets ?? new Dictionary<string, long>()).OrderBy(t => t.Key).Select(t => $"{t.Key}={t.Value}"))}"));

    private static string Describe(IEnumerable<InstanceProgress> seen) => string.Join(" | ", seen.Select(Key));
}
