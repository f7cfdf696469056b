using System.Diagnostics;
using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;
using Orchestrator.Runtime.Logs;
using Orchestrator.Runtime.Persistence;

namespace Orchestrator.Bench;

/// <summary>
/// Does a retention pass over a backlog leave live work its latency? One silo process on PostgreSQL with its default
/// batch size and pause (500 rows, 200 ms) and a one-minute pass interval; before the first pass the backlog is put in
/// the database directly: audit entries and log chunks 40 days old (several day partitions). API commands
/// (<c>POST /plans/{id}/run</c>, as the ack bench) are sent one at a time before the pass and while it runs; the
/// figures are their p50/p99 in each phase, the pass's duration and what it archived and deleted.
/// </summary>
internal static class RetentionBench
{
    private const string PlanId = "ret";

    public static async Task<int> RunAsync(Args args)
    {
        var auditRows = args.Int("audit", 100_000);
        var logChunks = args.Int("log-chunks", 50_000);
        var siloDll = args.Get("silo-dll");
        var schema = Bench.NewSchema("retention");
        var connection = Bench.WithSchema(args.Get("connection"), schema);
        var archive = Path.Combine(Path.GetTempPath(), schema);
        Process? silo = null;
        try
        {
            (silo, var port) = await Processes.StartSiloAsync(siloDll, connection, "ret0", Guid.NewGuid().ToString("N"),
                "--retention-interval", "00:01:00", "--archive-directory", archive);
            var started = Stopwatch.GetTimestamp();
            await SeedAsync(connection, auditRows, logChunks);
            Report.Info($"retention: seeded {auditRows} audit entries and {logChunks} log chunks 40 days old in {Stopwatch.GetElapsedTime(started).TotalSeconds:0.0} s");
            using var http = Processes.Authorized(new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}"), Timeout = TimeSpan.FromMinutes(1) });
            using (var plan = new StringContent($"name: {PlanId}\nsteps:\n  - name: noop\n    script: \"true\"\n    targets:\n      selector: bench=none\n", Encoding.UTF8, "application/yaml"))
            using (var put = await http.PutAsync($"/api/v1/plans/{PlanId}", plan))
            {
                put.EnsureSuccessStatusCode();
            }

            var before = new List<double>();
            var during = new List<double>();
            var phase = "before";
            JsonNode? status = null;
            using var stop = new CancellationTokenSource(TimeSpan.FromMinutes(15));
            var watch = Task.Run(async () =>
            {
                // The pass's status read four times a second, on the clock the benchmark measures with.
                using var tick = new PeriodicTimer(TimeSpan.FromMilliseconds(250), TimeProvider.System);
                while (!stop.IsCancellationRequested)
                {
                    status = JsonNode.Parse(await http.GetStringAsync("/api/v1/retention", stop.Token));
                    if (status!["recent"]!.AsArray().Count > 0)
                    {
                        phase = "done";
                        return;
                    }
                    if (status["current"] is not null)
                    {
                        phase = "during";
                    }
                    await tick.WaitForNextTickAsync(stop.Token);
                }
            });
            while (phase != "done" && !stop.IsCancellationRequested)
            {
                var now = phase;
                var t = Stopwatch.GetTimestamp();
                await RunOnceAsync(http);
                var ms = Stopwatch.GetElapsedTime(t).TotalMilliseconds;
                if (now == phase)
                {
                    (now == "before" ? before : during).Add(ms);
                }
            }
            await watch;
            var pass = status!["recent"]![0]!;
            var seconds = (pass["finishedAt"]!.GetValue<DateTimeOffset>() - pass["startedAt"]!.GetValue<DateTimeOffset>()).TotalSeconds;
            Report.Figure("retention_ack_before_p50_ms", Report.Percentile(before, 50), "ms");
            Report.Figure("retention_ack_before_p99_ms", Report.Percentile(before, 99), "ms");
            Report.Figure("retention_ack_during_p50_ms", Report.Percentile(during, 50), "ms");
            Report.Figure("retention_ack_during_p99_ms", Report.Percentile(during, 99), "ms");
            Report.Figure("retention_pass_s", seconds, "s");
            Report.Figure("retention_audit_deleted", pass["deleted"]!["audit"]?.GetValue<long>() ?? 0, "rows");
            Report.Figure("retention_log_days_dropped", pass["deleted"]!["logDays"]?.GetValue<long>() ?? 0, "days");
            Report.Info($"retention: {before.Count} commands before the pass, {during.Count} during; pass {pass.ToJsonString()}");
            return 0;
        }
        finally
        {
            if (silo is not null && !silo.HasExited)
            {
                silo.Kill(entireProcessTree: true);
                await silo.WaitForExitAsync();
            }
            await Bench.DropSchemaAsync(connection, schema);
            if (Directory.Exists(archive))
            {
                Directory.Delete(archive, recursive: true);
            }
        }
    }

    private static async Task SeedAsync(string connection, int auditRows, int logChunks)
    {
        await using (var data = NpgsqlDataSource.Create(connection))
        await using (var insert = data.CreateCommand("""
            INSERT INTO orch_audit (at, who, action, object_kind, object_id, method, route, status, problem, address, trace_id)
            SELECT now() - interval '40 days' + g * interval '10 ms', 'bench', 'plan.put', 'plan', 'p' || g, 'PUT', '/api/v1/plans/{id}', 200, NULL,
                   '127.0.0.1', lpad(to_hex(g), 32, '0')
            FROM generate_series(1, @n) AS g
            """))
        {
            insert.Parameters.AddWithValue("n", auditRows);
            await insert.ExecuteNonQueryAsync();
        }
        await using var database = OrchestratorDatabase.Open(new OrchestratorDatabaseOptions { Store = OrchestratorDatabaseOptions.Postgres, ConnectionString = connection },
            NullLoggerFactory.Instance);
        var old = TimeProvider.System.GetUtcNow().AddDays(-40);
        for (var start = 0; start < logChunks; start += 1000)
        {
            var chunks = Enumerable.Range(start, Math.Min(1000, logChunks - start))
                .Select(i => new LogChunk($"bench:{i % 500}#1", i / 500, old.AddDays(i % 5), "stdout", "old output line\n")).ToList();
            await database.Logs.AppendAsync(chunks);
        }
    }

    private static async Task RunOnceAsync(HttpClient http)
    {
        using var body = new StringContent("{}", Encoding.UTF8, "application/json");
        using var response = await http.PostAsync($"/api/v1/plans/{PlanId}/run", body);
        if (response.StatusCode != HttpStatusCode.Accepted)
        {
            throw new InvalidOperationException($"run: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        }
    }
}
