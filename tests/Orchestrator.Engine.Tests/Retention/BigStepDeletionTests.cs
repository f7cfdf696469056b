using System.Net;
using Orchestrator.Engine.Tests.Infrastructure;
using Orchestrator.GrainInterfaces;
using Orchestrator.Grains.Steps;
using Orchestrator.Runtime.Indexes;
using Orchestrator.Runtime.Tests.Infrastructure;
using Xunit.Abstractions;

namespace Orchestrator.Engine.Tests.Retention;

/// <summary>Deleting a step with more targets than one turn deletes: chunk after chunk, nothing left over.</summary>
public sealed class BigStepDeletionTests(ITestOutputHelper output)
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(180);

    private const int Hosts = 2500;

    [Fact]
    public async Task Delete_StepOverMoreTargetsThanAChunk_DeletesEveryTargetAndRow()
    {
        Assert.True(Hosts > 2 * StepGrain.DeleteChunkSize, "the step must need several chunks");
        await using var h = await EngineHarness.StartAsync(EngineStores.Postgres("retbig"));
        var fleet = h.StartAgent("sim", new Dictionary<string, string> { ["fleet"] = "sim" }, "", "--simulate", $"{Hosts}", "--host-prefix", "sim-");
        try
        {
            await Eventually.Until(async () => (await h.Client.Indexes.CountByStatusAsync(IndexKinds.Host, "")).GetValueOrDefault((int)HostStatus.Online),
                n => n == Hosts, Wait, $"{Hosts} simulated hosts online");
            var plan = await h.PutPlanAsync("""
                name: wide
                steps:
                  - name: noop
                    script:
                      source: "true"
                    targets:
                      selector: fleet=sim
                """);
            var id = await h.RunAsync(plan);
            Assert.Equal("succeeded", EngineHarness.StatusOf(await h.WaitForInstanceAsync(id, Wait, "succeeded", "failed")));
            var stepKey = GrainKeys.Step(id, 0);
            Assert.Equal(Hosts, (await h.Client.Indexes.CountByStatusAsync(IndexKinds.Target, stepKey)).GetValueOrDefault((int)TargetStatus.Succeeded));

            using (var request = new HttpRequestMessage(HttpMethod.Delete, $"/api/v1/task-instances/{id}"))
            using (var deleted = await h.Http.SendAsync(request))
            {
                Assert.Equal(HttpStatusCode.NoContent, deleted.StatusCode);
            }

            await Eventually.Until(() => h.Client.Indexes.CountByStatusAsync(IndexKinds.Target, stepKey), c => c.Count == 0, Wait, "every target row deleted");
            await Eventually.Until(() => h.Client.Indexes.QueryAsync(new IndexQuery(IndexKinds.StepTarget, [$"{stepKey}/1"]) { Limit = 1, KeysOnly = true }),
                rows => rows.Count == 0, Wait, "every position row deleted");
            var hosts = Enumerable.Range(1, Hosts).Select(i => $"sim-{i:D5}").ToList();
            // Each host target deletes itself on its own message, after the step's chunk that sent it.
            await Eventually.Until(async () =>
            {
                var views = await Task.WhenAll(hosts.Select(host => h.Client.GetGrain<IHostTargetGrain>(GrainKeys.Target(stepKey, host)).GetAsync().AsTask()));
                return views.Count(v => v is not null);
            }, n => n == 0, Wait, "every host target deleted");
            Assert.Null(await h.Client.GetGrain<IStepGrain>(stepKey).GetAsync());
            Assert.Empty(await h.Client.Indexes.GetAsync(IndexKinds.Instance, "default", [id]));
            Assert.Empty(await h.Client.DeadLetters.ListAsync(0, 100));
        }
        finally
        {
            output.WriteLine(fleet.Log);
        }
    }
}
