using Orchestrator.Engine.Tests.Infrastructure;
using Orchestrator.GrainInterfaces;
using Orchestrator.Runtime.Audit;
using Orchestrator.Runtime.Tests.Infrastructure;
using Xunit.Abstractions;

namespace Orchestrator.Engine.Tests.Retention;

/// <summary>
/// A retention pass whose silo is killed in the middle of a part — after its archive files are written but before
/// that is recorded, or after it is recorded but before the part's records are deleted — resumes on the other silo
/// from its checkpoint: every record is archived exactly once and deleted, none lost, none in two files.
/// </summary>
public sealed class RetentionCrashTests(ITestOutputHelper output)
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(120);

    public static TheoryData<string, string, string> Cases => new()
    {
        { "instances", "before-deleting", "directory" },
        { "instances", "before-recording-written", "directory" },
        { "audit", "before-deleting", "directory" },
        { "audit", "before-recording-written", "directory" },
        // The bucket's objects are rewritten under the same keys: the killed part's object is replaced, not doubled.
        { "instances", "before-recording-written", "bucket" },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task Pass_SiloKilledMidPart_ResumesWithoutLosingOrDoublingARecord(string kind, string stage, string where)
    {
        // A bucket archive is mirrored into this directory to be read as a directory archive is.
        var archive = Path.Combine(Path.GetTempPath(), "orch-retention", Guid.NewGuid().ToString("N")[..8]);
        var bucket = where == "bucket" ? S3Server.NewArchiveUrl("crash") : null;
        var clock = new ManualTimeProvider(TimeProvider.System.GetUtcNow());
        var reached = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        var calls = 0;
        Func<string, CancellationToken, Task> dieOnce = async (part, cancellationToken) =>
        {
            if (part.StartsWith(kind + "/", StringComparison.Ordinal) && Interlocked.Increment(ref calls) == 1)
            {
                reached.TrySetResult(part);
                await Task.Delay(Timeout.Infinite, cancellationToken); // the silo dies here
            }
        };
        await using var h = await EngineHarness.StartAsync(EngineStores.Postgres("retcrash"), silos: 2, clock: clock,
            retention: o =>
            {
                o.ArchiveDirectory = archive;
                if (bucket is not null)
                {
                    o.ArchiveBucket = bucket;
                    o.ArchiveBucketAccessKey = S3Server.AccessKey;
                    o.ArchiveBucketSecretKey = S3Server.SecretKey;
                }
                o.RetentionBatchSize = 2;
                o.RetentionBatchPause = TimeSpan.Zero;
                o.LogRetention = o.FileRetention = TimeSpan.Zero;
                if (kind == "instances")
                {
                    o.AuditRetention = TimeSpan.Zero;
                }
                else
                {
                    o.InstanceRetention = TimeSpan.Zero;
                }
                if (stage == "before-deleting")
                {
                    o.BeforeDeleting = dieOnce;
                }
                else
                {
                    o.BeforeRecordingWritten = dieOnce;
                }
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
            var audited = await Eventually.Until(() => h.Database.Audit.QueryAsync(new AuditQuery(Limit: 1000)), e => e.Count >= 6, Wait, "the plan and its runs audited");

            clock.Advance(TimeSpan.FromDays(31));
            var part = await reached.Task.WaitAsync(Wait);
            var grain = h.Client.GetGrain<IRetentionGrain>(IRetentionGrain.Key);
            var holder = await h.Cluster.SiloHoldingAsync(grain);
            Assert.NotNull(holder);
            if (bucket is not null)
            {
                Assert.Contains(part, await S3Server.MirrorAsync(bucket, archive)); // stored before the silo died
            }
            Assert.True(File.Exists(Path.Combine(archive, part)), $"{part} written before the silo died");
            var firstPart = ArchiveFiles.Read(archive, kind).Where(l => l.File == part).ToList();
            Assert.NotEmpty(firstPart);
            if (kind == "instances")
            {
                foreach (var id in firstPart.Select(l => l.Line["instance"]!.GetValue<string>()).Distinct())
                {
                    Assert.Equal("succeeded", EngineHarness.StatusOf(await h.GetInstanceAsync(id))); // archived, not deleted yet
                }
            }

            await h.Cluster.KillSiloAsync(holder!);

            // Only the clock moves: the sweeper finds the pass's resume wake-up and the grain carries on elsewhere.
            var status = await RetentionPassTests.WaitForPassAsync(h, () => clock.Advance(TimeSpan.FromSeconds(30)));

            var pass = status["recent"]![0]!;
            Assert.Equal(1, pass["number"]!.GetValue<long>());
            if (bucket is not null)
            {
                Directory.Delete(archive, recursive: true);
                var names = await S3Server.MirrorAsync(bucket, archive);
                Assert.Equal(pass["archiveFiles"]!.AsArray().Select(f => f!.GetValue<string>()).Order(StringComparer.Ordinal), names); // no stray object
            }
            Assert.Empty(Directory.EnumerateFiles(archive, "*.tmp", SearchOption.AllDirectories));
            Assert.True(calls >= 2, $"the hook ran {calls} times: the killed part's twice");
            var lines = ArchiveFiles.Read(archive, kind);
            if (kind == "instances")
            {
                var archived = lines.Where(l => RetentionPassTests.Type(l.Line) == "instance").Select(l => l.Line["instance"]!.GetValue<string>()).ToList();
                Assert.Equal(ids.Order(StringComparer.Ordinal), archived.Order(StringComparer.Ordinal)); // each exactly once
                Assert.Equal(ids.Count, lines.Count(l => RetentionPassTests.Type(l.Line) == "target"));
                Assert.Empty(await h.Client.Indexes.GetAsync(IndexKinds.Instance, "", ids));
                Assert.Equal(ids.Count, pass["deleted"]!["instances"]!.GetValue<long>());
                Assert.Equal(ids.Count, pass["archived"]!["instances"]!.GetValue<long>());
            }
            else
            {
                var archived = lines.Select(l => l.Line["data"]!["id"]!.GetValue<long>()).ToList();
                Assert.Equal(archived.Count, archived.Distinct().Count()); // none twice
                Assert.Subset(archived.ToHashSet(), audited.Select(e => e.Id).ToHashSet()); // none lost
                var cutoff = pass["auditBefore"]!.GetValue<DateTimeOffset>();
                Assert.Empty(await h.Database.Audit.QueryAsync(new AuditQuery(To: cutoff, Limit: 10)));
                Assert.Equal(archived.Count, pass["archived"]!["audit"]!.GetValue<long>());
            }
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
