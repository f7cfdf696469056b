using Orchestrator.Engine.Tests.Infrastructure;
using Orchestrator.GrainInterfaces;
using Orchestrator.Runtime.Indexes;
using Orchestrator.Runtime.Tests.Infrastructure;

namespace Orchestrator.Engine.Tests.Retention;

/// <summary>What the retention tests share: plans with a time to keep their instances, and what "gone" means.</summary>
internal static class RetentionSpec
{
    /// <summary>
    /// Stores the plan, then a second version of it that keeps finished instances for <paramref name="ttl"/> (built
    /// on the model, so the test does not depend on how the YAML spells it); runs start the latest version.
    /// </summary>
    public static async Task<string> PutPlanAsync(EngineHarness h, string yaml, TimeSpan ttl)
    {
        var id = await h.PutPlanAsync(yaml);
        var grain = h.Client.GetGrain<IPlanGrain>(id);
        var view = await grain.GetAsync(null);
        var requestId = Guid.NewGuid().ToString("N");
        await grain.Save(new SavePlan(requestId, view!.Definition with { TtlAfterFinished = ttl }, view.Version, "tester"));
        var result = await Eventually.Until(() => grain.GetRequestResultAsync(requestId).AsTask(), r => r is not null, TimeSpan.FromSeconds(30), $"plan {id} saved with a ttl");
        Assert.True(result!.Ok, result.Error);
        return id;
    }

    /// <summary>The log streams of the runs of a step's hosts.</summary>
    public static IEnumerable<string> Streams(string id, int step, IEnumerable<string> hosts, int runs = 1) =>
        hosts.SelectMany(host => Enumerable.Range(1, runs).Select(run => GrainKeys.LogStream(GrainKeys.Target(GrainKeys.Step(id, step), host), run)));

    /// <summary>Waits until the API no longer knows the instance.</summary>
    public static Task WaitAbsentAsync(EngineHarness h, string id, TimeSpan timeout) =>
        Eventually.Until(() => h.GetInstanceAsync(id), i => EngineHarness.StatusOf(i) == "absent", timeout, $"instance {id} deleted");

    /// <summary>
    /// Waits until nothing of the instance is left: its list row, each step's target and position rows and view, each
    /// host target's view, and every chunk of the given log streams. Fails naming what was left.
    /// </summary>
    public static async Task WaitGoneAsync(EngineHarness h, string id, IReadOnlyList<int> steps, IReadOnlyList<string> hosts, IEnumerable<string> streams, TimeSpan timeout)
    {
        var streamList = streams.ToList();
        Assert.NotEmpty(streamList);
        await WaitAbsentAsync(h, id, timeout);
        await Eventually.Until(() => LeftoversAsync(h, id, steps, hosts, streamList), left => left.Count == 0, timeout, $"everything of instance {id} deleted");
    }

    private static async Task<List<string>> LeftoversAsync(EngineHarness h, string id, IReadOnlyList<int> steps, IReadOnlyList<string> hosts, List<string> streams)
    {
        var client = h.Client;
        var left = new List<string>();
        if ((await client.Indexes.GetAsync(IndexKinds.Instance, "default", [id])).Count > 0)
        {
            left.Add("the instance's list row");
        }
        var byTime = await client.Indexes.QueryAsync(new IndexQuery(IndexKinds.InstanceByTime, ["default"]) { Limit = 100_000, KeysOnly = true });
        if (byTime.Any(r => r.Key.EndsWith("/" + id, StringComparison.Ordinal)))
        {
            left.Add("the instance's row in the list by time");
        }
        foreach (var step in steps)
        {
            var stepKey = GrainKeys.Step(id, step);
            var targets = (await client.Indexes.CountByStatusAsync(IndexKinds.Target, stepKey)).Values.Sum();
            if (targets > 0)
            {
                left.Add($"{targets} target rows of step {step}");
            }
            for (var attempt = 1; attempt <= 3; attempt++)
            {
                var positions = await client.Indexes.QueryAsync(new IndexQuery(IndexKinds.StepTarget, [$"{stepKey}/{attempt}"]) { Limit = 1, KeysOnly = true });
                if (positions.Count > 0)
                {
                    left.Add($"position rows of step {step} attempt {attempt}");
                }
            }
            if (await client.GetGrain<IStepGrain>(stepKey).GetAsync() is not null)
            {
                left.Add($"step {step}");
            }
            foreach (var host in hosts)
            {
                if (await client.GetGrain<IHostTargetGrain>(GrainKeys.Target(stepKey, host)).GetAsync() is not null)
                {
                    left.Add($"target {host} of step {step}");
                }
            }
        }
        foreach (var stream in streams)
        {
            var page = await client.Logs.ReadAsync(stream, 0, 1);
            if (page.Chunks.Count > 0 || page.StoredBytes > 0)
            {
                left.Add($"log {stream}");
            }
        }
        return left;
    }
}
