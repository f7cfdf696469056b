using System.Text.Json.Nodes;
using Orchestrator.Engine.Tests.Infrastructure;
using Orchestrator.GrainInterfaces;
using Orchestrator.Runtime.Tests.Infrastructure;
using Xunit.Abstractions;

namespace Orchestrator.Engine.Tests.Retention;

/// <summary>
/// A retention pass whose silo is killed mid-part — after the part's archive file is written and recorded, before its
/// instances are deleted — resumes on the other silo from its checkpoint: every instance is archived exactly once and
/// deleted, none lost, none in two files.
/// </summary>
public sealed class RetentionCrashTests(ITestOutputHelper output)
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(120);

    [Fact]
    public async Task Pass_SiloKilledBetweenArchiveAndDelete_ResumesWithoutLosingOrDoublingARecord()
    {
        var archive = Path.Combine(Path.GetTempPath(), "orch-retention", Guid.NewGuid().ToString("N")[..8]);
        var clock = new ManualTimeProvider(TimeProvider.System.GetUtcNow());
        var reached = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        var calls = 0;
        await using var h = await EngineHarness.StartAsync(EngineStores.Postgres("retcrash"), silos: 2, clock: clock,
            retention: o =>
            {
                o.ArchiveDirectory = archive;
                o.RetentionBatchSize = 2;
                o.RetentionBatchPause = TimeSpan.Zero;
                o.LogRetention = o.AuditRetention = o.FileRetention = TimeSpan.Zero;
                o.BeforeDeleting = async (part, cancellationToken) =>
                {
                    if (Interlocked.Increment(ref calls) == 1)
                    {
                        reached.TrySetResult(part);
                        await Task.Delay(Timeout.Infinite, cancellationToken); // the silo dies here
                    }
                };
            });
        var agent = h.StartAgent("web-1");
        try
        {
            await h.WaitForHostsAsync("web-1");
            var plan = await h.PutPlanAsync("""
                name: many
                steps:
                  - name: greet
                    script:
                      source: echo "run on $ORCH_HOST"
                    targets:
                      hosts: [web-1]
                """);
            var ids = new List<string>();
            for (var i = 0; i < 5; i++)
            {
                ids.Add(await h.RunAsync(plan));
            }
            foreach (var id in ids)
            {
                Assert.Equal("succeeded", EngineHarness.StatusOf(await h.WaitForInstanceAsync(id, Wait, "succeeded", "failed")));
            }

            clock.Advance(TimeSpan.FromDays(31));
            var part = await reached.Task.WaitAsync(Wait);
            var grain = h.Client.GetGrain<IRetentionGrain>(IRetentionGrain.Key);
            var holder = await h.Cluster.SiloHoldingAsync(grain);
            Assert.NotNull(holder);
            Assert.True(File.Exists(Path.Combine(archive, part)), $"{part} written before the deletes");
            var firstPart = ArchiveFiles.Read(archive, "instances").Where(l => l.File == part).ToList();
            Assert.NotEmpty(firstPart);
            foreach (var id in firstPart.Select(l => l.Line["instance"]!.GetValue<string>()).Distinct())
            {
                Assert.Equal("succeeded", EngineHarness.StatusOf(await h.GetInstanceAsync(id))); // archived, not deleted yet
            }

            await h.Cluster.KillSiloAsync(holder!);

            // Only the clock moves: the sweeper finds the pass's resume wake-up and the grain carries on elsewhere.
            await Eventually.Until(async () =>
            {
                clock.Advance(TimeSpan.FromSeconds(30));
                return (await h.Client.Indexes.GetAsync(IndexKinds.Instance, "", ids)).Count;
            }, left => left == 0, Wait, "every instance deleted after the silo died");
            var status = await RetentionPassTests.WaitForPassAsync(h, () => clock.Advance(TimeSpan.FromSeconds(5)));

            var lines = ArchiveFiles.Read(archive, "instances");
            var archived = lines.Where(l => RetentionPassTests.Type(l.Line) == "instance").Select(l => l.Line["instance"]!.GetValue<string>()).ToList();
            Assert.Equal(ids.Order(StringComparer.Ordinal), archived.Order(StringComparer.Ordinal)); // each exactly once
            Assert.Equal(ids.Count, lines.Count(l => RetentionPassTests.Type(l.Line) == "target"));
            var pass = status["recent"]![0]!;
            Assert.Equal(ids.Count, pass["deleted"]!["instances"]!.GetValue<long>());
            Assert.Equal(ids.Count, pass["archived"]!["instances"]!.GetValue<long>());
            Assert.Equal(1, pass["number"]!.GetValue<long>());
            Assert.True(calls >= 4, $"the hook ran {calls} times: once per part, the killed part twice");
        }
        finally
        {
            output.WriteLine(agent.Log);
            if (Directory.Exists(archive))
            {
                Directory.Delete(archive, recursive: true);
            }
        }
    }
}
