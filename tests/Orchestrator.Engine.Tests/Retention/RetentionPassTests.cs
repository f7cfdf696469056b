using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Orchestrator.Api.Identity;
using Orchestrator.Engine.Tests.Infrastructure;
using Orchestrator.GrainInterfaces;
using Orchestrator.Runtime.Audit;
using Orchestrator.Runtime.Tests.Infrastructure;
using Xunit.Abstractions;

namespace Orchestrator.Engine.Tests.Retention;

/// <summary>
/// The retention pass on a real silo, a real agent and a real database, on a clock the test moves: what is older than
/// the cutoffs is archived (each record once, readable) and then gone — instances with their targets and logs, log
/// days (PostgreSQL partitions), audit entries, unreferenced files — and what is younger, referenced or kept by its
/// plan's own ttl stays.
/// </summary>
public sealed class RetentionPassTests(ITestOutputHelper output)
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(90);

    public static TheoryData<string> Stores => new() { "sqlite", "postgres" };

    [Theory]
    [MemberData(nameof(Stores))]
    public async Task Pass_PastTheCutoffs_ArchivesEachRecordOnceThenDeletesIt(string store)
    {
        var archive = Path.Combine(Path.GetTempPath(), "orch-retention", Guid.NewGuid().ToString("N")[..8]);
        var clock = new ManualTimeProvider(TimeProvider.System.GetUtcNow());
        await using var h = await EngineHarness.StartAsync(store == "postgres" ? EngineStores.Postgres("ret") : EngineStores.Sqlite(), clock: clock,
            retention: o =>
            {
                o.ArchiveDirectory = archive;
                o.RetentionBatchSize = 2; // several parts per kind
                o.RetentionBatchPause = TimeSpan.Zero;
            });
        var agent = h.StartAgent("web-1");
        try
        {
            await h.WaitForHostsAsync("web-1");
            var plain = await h.PutPlanAsync("""
                name: plain
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
                ids.Add(await h.RunAsync(plain));
            }
            var ttlPlan = await RetentionSpec.PutPlanAsync(h, """
                name: own-ttl
                steps:
                  - name: greet
                    script:
                      source: echo "kept by its plan"
                    targets:
                      hosts: [web-1]
                """, TimeSpan.FromDays(60));
            var ownTtl = await h.RunAsync(ttlPlan);
            foreach (var id in ids.Append(ownTtl))
            {
                Assert.Equal("succeeded", EngineHarness.StatusOf(await h.WaitForInstanceAsync(id, Wait, "succeeded", "failed")));
            }
            foreach (var id in ids)
            {
                Assert.Contains("hello from web-1", await h.LogTextAsync(id, 0, "web-1"));
            }
            var referenced = await UploadAsync(h, "referenced by a plan\n");
            var unreferenced = await UploadAsync(h, "nobody uses this\n");
            var young = await UploadAsync(h, "uploaded after the jump\n");
            await h.PutPlanAsync($$"""
                name: ships-a-file
                steps:
                  - name: ship
                    files:
                      sources:
                        - sha256: {{referenced}}
                          name: kept.txt
                      targetDirectory: /tmp/orch-retention-never-run
                    targets:
                      hosts: [web-1]
                """);
            var start = clock.GetUtcNow();
            await ArchiveFiles.SetStoredAtAsync(h, referenced, start - TimeSpan.FromDays(40));
            await ArchiveFiles.SetStoredAtAsync(h, unreferenced, start - TimeSpan.FromDays(40));
            var logDay = DateOnly.FromDateTime(TimeProvider.System.GetUtcNow().UtcDateTime); // agents stamp chunks with their own clock
            Assert.True(await ArchiveFiles.HasLogDayAsync(h, logDay), $"log day {logDay} before the pass");
            var auditBefore = await h.Database.Audit.QueryAsync(new AuditQuery(Limit: 10_000));
            Assert.NotEmpty(auditBefore);

            clock.Advance(TimeSpan.FromDays(31));
            await ArchiveFiles.SetStoredAtAsync(h, young, clock.GetUtcNow()); // stored after the jump: young
            var status = await WaitForPassAsync(h);

            // The archive: each instance once, with its step, target and log; nothing of the instance its plan keeps.
            var instanceLines = ArchiveFiles.Read(archive, "instances");
            Assert.All(instanceLines, l => Assert.Matches(@"^instances/\d{4}-\d{2}-\d{2}\.\d{6}-\d{4}\.jsonl\.gz$", l.File.Replace('\\', '/')));
            var archivedInstances = instanceLines.Where(l => Type(l.Line) == "instance").Select(l => l.Line["instance"]!.GetValue<string>()).ToList();
            Assert.Equal(ids.Order(StringComparer.Ordinal), archivedInstances.Order(StringComparer.Ordinal)); // each once
            foreach (var id in ids)
            {
                var mine = instanceLines.Where(l => l.Line["instance"]!.GetValue<string>() == id).Select(l => l.Line).ToList();
                Assert.Equal("succeeded", mine.Single(l => Type(l) == "instance")["data"]!["status"]!.GetValue<string>());
                Assert.Single(mine, l => Type(l) == "step");
                Assert.Equal("web-1", mine.Single(l => Type(l) == "target")["host"]!.GetValue<string>());
                var log = string.Concat(mine.Where(l => Type(l) == "log").SelectMany(l => l["chunks"]!.AsArray()).Select(c => c!["text"]!.GetValue<string>()));
                Assert.Contains("hello from web-1", log);
            }
            Assert.DoesNotContain(instanceLines, l => l.Line["instance"]!.GetValue<string>() == ownTtl);

            // Then gone: the instances with their targets and logs; the one its plan keeps is still there.
            foreach (var id in ids)
            {
                await RetentionSpec.WaitGoneAsync(h, id, [0], ["web-1"], RetentionSpec.Streams(id, 0, ["web-1"]), Wait);
            }
            Assert.Equal("succeeded", EngineHarness.StatusOf(await h.GetInstanceAsync(ownTtl)));

            // Log days before the cutoff dropped whole (the PostgreSQL partition is gone).
            Assert.False(await ArchiveFiles.HasLogDayAsync(h, logDay), $"log day {logDay} after the pass");

            // Audit: every entry recorded before the cutoff archived once, then deleted.
            var auditLines = ArchiveFiles.Read(archive, "audit");
            var archivedAudit = auditLines.Select(l => l.Line["data"]!["id"]!.GetValue<long>()).ToList();
            Assert.Equal(archivedAudit.Count, archivedAudit.Distinct().Count());
            Assert.Subset(archivedAudit.ToHashSet(), auditBefore.Select(e => e.Id).ToHashSet());
            var cutoff = status["recent"]![0]!["auditBefore"]!.GetValue<DateTimeOffset>();
            Assert.Empty(await h.Database.Audit.QueryAsync(new AuditQuery(To: cutoff, Limit: 10)));
            Assert.Equal(auditBefore.Single(e => e.Id == archivedAudit[0]).Action, auditLines[0].Line["data"]!["action"]!.GetValue<string>());

            // Files: the old unreferenced one collected; the referenced one and the young one kept.
            Assert.Null(await h.Database.Blobs.GetInfoAsync(unreferenced));
            Assert.NotNull(await h.Database.Blobs.GetInfoAsync(referenced));
            Assert.NotNull(await h.Database.Blobs.GetInfoAsync(young));

            // What the status says matches.
            var pass = status["recent"]![0]!;
            Assert.Equal(3, pass["archived"]!["instances"]!.GetValue<long>());
            Assert.Equal(3, pass["deleted"]!["instances"]!.GetValue<long>());
            Assert.Equal(archivedAudit.Count, pass["archived"]!["audit"]!.GetValue<long>());
            Assert.Equal(archivedAudit.Count, pass["deleted"]!["audit"]!.GetValue<long>());
            Assert.Equal(1, pass["deleted"]!["files"]!.GetValue<long>());
            Assert.True(pass["deleted"]!["logDays"]!.GetValue<long>() >= 1, pass.ToJsonString());
            Assert.Empty(pass["errors"]!.AsArray());
            Assert.Equal(instanceLines.Select(l => l.File).Concat(auditLines.Select(l => l.File)).Distinct().Count(), pass["archiveFiles"]!.AsArray().Count);
            Assert.NotNull(status["nextDue"]);
            Assert.Equal("30.00:00:00", status["settings"]!["instances"]!.GetValue<string>());
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

    [Fact]
    public async Task GetRetention_AsAViewer_IsForbidden()
    {
        Assert.Equal(Role.Admin, EndpointRoles.Required("GET", "/api/v1/retention", null));
        await using var h = await EngineHarness.StartAsync(EngineStores.Sqlite());
        using var viewer = h.NewClient(await h.TokenForAsync("watcher", new Dictionary<string, string[]> { ["*"] = ["viewer"] }));
        using var refused = await viewer.GetAsync("/api/v1/retention");
        Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
        using var shown = await h.Http.GetAsync("/api/v1/retention");
        Assert.Equal(HttpStatusCode.OK, shown.StatusCode);
        var body = JsonNode.Parse(await shown.Content.ReadAsStringAsync())!;
        Assert.Null(body["settings"]!["instances"]); // the harness keeps everything unless a test asks
        Assert.Empty(body["recent"]!.AsArray());
    }

    internal static string Type(JsonNode line) => line["type"]!.GetValue<string>();

    internal static async Task<string> UploadAsync(EngineHarness h, string content)
    {
        using var body = new ByteArrayContent(Encoding.UTF8.GetBytes(content));
        using var uploaded = await h.Http.PostAsync("/api/v1/files", body);
        Assert.Equal(HttpStatusCode.Created, uploaded.StatusCode);
        return JsonNode.Parse(await uploaded.Content.ReadAsStringAsync())!["sha256"]!.GetValue<string>();
    }

    /// <summary>Waits until <c>GET /api/v1/retention</c> lists a finished pass; returns the status.</summary>
    internal static Task<JsonNode> WaitForPassAsync(EngineHarness h, Action? poll = null) =>
        Eventually.Until(async () =>
        {
            poll?.Invoke();
            return JsonNode.Parse(await h.Http.GetStringAsync("/api/v1/retention"))!;
        }, s => s["recent"]!.AsArray().Count > 0, Wait, "a retention pass finished");
}
