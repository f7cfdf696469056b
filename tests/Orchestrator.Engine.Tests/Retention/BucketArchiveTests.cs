using System.Text.Json.Nodes;
using Orchestrator.Engine.Tests.Infrastructure;
using Orchestrator.Runtime.Tests.Infrastructure;
using Xunit.Abstractions;

namespace Orchestrator.Engine.Tests.Retention;

/// <summary>
/// The archive in an S3-compatible bucket: a real silo, a real agent and PostgreSQL archive to s3rver (a separate S3
/// implementation, <see cref="S3Server"/>), on a clock the test moves. What is archived is read back from the bucket;
/// a bucket that refuses the archive's writes leaves every record in place.
/// </summary>
public sealed class BucketArchiveTests(ITestOutputHelper output)
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(90);

    [Fact]
    public async Task Pass_ToABucket_ArchivesEachRecordOnceReadableFromTheBucket_ThenDeletesIt()
    {
        var bucket = S3Server.NewArchiveUrl("pass");
        var mirror = Path.Combine(Path.GetTempPath(), "orch-retention", Guid.NewGuid().ToString("N")[..8]);
        var clock = new ManualTimeProvider(TimeProvider.System.GetUtcNow());
        await using var h = await EngineHarness.StartAsync(EngineStores.Postgres("retbucket"), clock: clock, retention: o =>
        {
            o.ArchiveBucket = bucket;
            o.ArchiveBucketAccessKey = S3Server.AccessKey;
            o.ArchiveBucketSecretKey = S3Server.SecretKey;
            o.RetentionBatchSize = 2; // several parts, so several objects
            o.RetentionBatchPause = TimeSpan.Zero;
        });
        var agent = h.StartAgent("web-1");
        try
        {
            var ids = await RunThreeAsync(h);

            clock.Advance(TimeSpan.FromDays(31));
            var status = await RetentionPassTests.WaitForPassAsync(h);

            var pass = status["recent"]![0]!;
            Assert.Empty(pass["errors"]!.AsArray());
            var names = await S3Server.MirrorAsync(bucket, mirror);
            Assert.Equal(pass["archiveFiles"]!.AsArray().Select(f => f!.GetValue<string>()).Order(StringComparer.Ordinal), names); // what the pass says it wrote, nothing else
            var lines = ArchiveFiles.Read(mirror, "instances");
            var archived = lines.Where(l => RetentionPassTests.Type(l.Line) == "instance").Select(l => l.Line["instance"]!.GetValue<string>()).ToList();
            Assert.Equal(ids.Order(StringComparer.Ordinal), archived.Order(StringComparer.Ordinal)); // each exactly once
            foreach (var id in ids)
            {
                var log = string.Concat(lines.Where(l => l.Line["instance"]!.GetValue<string>() == id && RetentionPassTests.Type(l.Line) == "log")
                    .SelectMany(l => l.Line["chunks"]!.AsArray()).Select(c => c!["text"]!.GetValue<string>()));
                Assert.Contains("hello from web-1", log);
                await RetentionSpec.WaitGoneAsync(h, id, [0], ["web-1"], RetentionSpec.Streams(id, 0, ["web-1"]), Wait);
            }
            Assert.NotEmpty(ArchiveFiles.Read(mirror, "audit"));
            Assert.Equal(3, pass["archived"]!["instances"]!.GetValue<long>());
            Assert.Equal(bucket, status["settings"]!["archiveBucket"]!.GetValue<string>());
            Assert.Null(status["settings"]!["archiveDirectory"]);
            Assert.DoesNotContain(S3Server.SecretKey, status.ToJsonString(), StringComparison.Ordinal);
        }
        finally
        {
            output.WriteLine(agent.Log);
            if (Directory.Exists(mirror))
            {
                Directory.Delete(mirror, recursive: true);
            }
        }
    }

    [Fact]
    public async Task Pass_BucketRefusesTheWrites_RecordsWhy_AndDeletesNothing()
    {
        // A bucket the server does not have: every PutObject is refused (404 NoSuchBucket).
        var bucket = $"{S3Server.Endpoint}/no-such-bucket-{Guid.NewGuid():N}"[..^8];
        var clock = new ManualTimeProvider(TimeProvider.System.GetUtcNow());
        await using var h = await EngineHarness.StartAsync(EngineStores.Postgres("retrefused"), clock: clock, retention: o =>
        {
            o.ArchiveBucket = bucket;
            o.ArchiveBucketAccessKey = S3Server.AccessKey;
            o.ArchiveBucketSecretKey = S3Server.SecretKey;
            o.RetentionBatchPause = TimeSpan.Zero;
        });
        var agent = h.StartAgent("web-1");
        try
        {
            var ids = await RunThreeAsync(h);

            clock.Advance(TimeSpan.FromDays(31));
            var status = await Eventually.Until(async () => JsonNode.Parse(await h.Http.GetStringAsync("/api/v1/retention"))!,
                s => s["current"]?["errors"]?.AsArray().Count > 0, Wait, "the pass recorded the bucket's refusal");

            var error = status["current"]!["errors"]![0]!.GetValue<string>();
            Assert.Contains("404", error, StringComparison.Ordinal);
            Assert.Contains("NoSuchBucket", error, StringComparison.Ordinal);
            Assert.DoesNotContain(S3Server.SecretKey, status.ToJsonString(), StringComparison.Ordinal);
            Assert.Empty(status["recent"]!.AsArray()); // not finished: the step is tried again later
            foreach (var id in ids)
            {
                Assert.Equal("succeeded", EngineHarness.StatusOf(await h.GetInstanceAsync(id))); // nothing deleted unarchived
            }
        }
        finally
        {
            output.WriteLine(agent.Log);
        }
    }

    private static async Task<List<string>> RunThreeAsync(EngineHarness h)
    {
        await h.WaitForHostsAsync("web-1");
        var plan = await h.PutPlanAsync("""
            name: to-the-bucket
            steps:
              - name: greet
                script:
                  source: echo "hello from $ORCH_HOST"
                targets:
                  hosts: [web-1]
            """);
        var ids = new List<string>();
        for (var i = 0; i < 3; i++)
        {
            ids.Add(await h.RunAsync(plan));
        }
        foreach (var id in ids)
        {
            Assert.Equal("succeeded", EngineHarness.StatusOf(await h.WaitForInstanceAsync(id, Wait, "succeeded", "failed")));
        }
        return ids;
    }
}

/// <summary>The bucket archive's two operations on s3rver directly: a part written whole, then rewritten without some instances.</summary>
public sealed class ArchiveBucketTests
{
    [Fact]
    public async Task RemoveInstances_RewritesTheObjectWithoutThem_AndAnAbsentObjectIsNothing()
    {
        var url = S3Server.NewArchiveUrl("remove");
        var address = Grains.Retention.BucketAddress.Parse(url, out var problem);
        Assert.Null(problem);
        var archive = new Grains.Retention.ArchiveBucket(
            new Grains.Retention.BucketClient(address!, "us-east-1", S3Server.AccessKey, S3Server.SecretKey, TimeProvider.System, Grains.Retention.BucketClient.SharedHttp),
            Path.GetTempPath());
        const string name = "instances/2026-11-04.000001-0001.jsonl.gz";

        var written = await archive.WriteAsync(name, async lines =>
        {
            foreach (var id in new[] { "i1", "i2", "i3" })
            {
                await lines.WriteAsync(new { type = "instance", instance = id });
                await lines.WriteAsync(new { type = "step", instance = id, step = 0 });
            }
        }, CancellationToken.None);
        var kept = await archive.RemoveInstancesAsync(name, new HashSet<string> { "i2" }, CancellationToken.None);

        Assert.Equal(6, written);
        Assert.Equal(4, kept);
        var mirror = Path.Combine(Path.GetTempPath(), "orch-retention", Guid.NewGuid().ToString("N")[..8]);
        try
        {
            Assert.Equal([name], await S3Server.MirrorAsync(url, mirror));
            var instances = ArchiveFiles.Read(mirror, "instances").Select(l => l.Line["instance"]!.GetValue<string>()).ToList();
            Assert.Equal(["i1", "i1", "i3", "i3"], instances);
        }
        finally
        {
            Directory.Delete(mirror, recursive: true);
        }
        Assert.Equal(0, await archive.RemoveInstancesAsync("instances/never-written.jsonl.gz", new HashSet<string> { "i1" }, CancellationToken.None));
    }
}
