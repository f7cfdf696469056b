using System.Diagnostics;
using System.Globalization;
using Npgsql;
using Orchestrator.Runtime.Persistence;

namespace Orchestrator.Bench.Durable;

/// <summary>
/// The runtime suite on Orleans (issue #10): durable state writes per second of <c>DurableGrain</c>s through our grain
/// storage provider (one silo, N grains, each command answered after the write that holds it), in-memory grain calls
/// per second, and how long one command waits for its write when nothing else runs.
/// </summary>
internal static class GrainWritesBench
{
    public static async Task<int> RunAsync(Args args)
    {
        var grains = args.Int("grains", 10_000);
        var perGrain = args.Int("per-grain", 5);
        var echoCalls = args.Int("calls", 200_000);
        var ackCalls = args.Int("ack-calls", 2_000);
        var store = args.Get("store", "postgres");
        var database = store == "sqlite"
            ? new OrchestratorDatabaseOptions { Store = "sqlite", ConnectionString = Path.Combine(Path.GetTempPath(), $"orch-bench-writes-{Guid.NewGuid():N}.db") }
            : new OrchestratorDatabaseOptions
            {
                Store = "postgres",
                ConnectionString = new NpgsqlConnectionStringBuilder(args.Get("connection")) { SearchPath = $"bench_writes_{Guid.NewGuid():N}", MaxPoolSize = 64 }.ToString(),
            };
        var suffix = store == "sqlite" ? "_sqlite" : "";
        var failures = 0;
        string? schema = null;
        await using (var silo = await BenchSilo.StartAsync(database))
        {
            try
            {
                var counters = Enumerable.Range(0, grains)
                    .Select(i => silo.Grains.GetGrain<IDurableCounterGrain>("c" + i.ToString("D6", CultureInfo.InvariantCulture)))
                    .ToArray();

                // Each grain's first command: activation, a read that finds nothing, the insert.
                var stopwatch = Stopwatch.StartNew();
                await Task.WhenAll(counters.Select(c => c.Add(1)));
                Report.Figure("grain_first_writes_per_s" + suffix, grains / stopwatch.Elapsed.TotalSeconds, "writes/s");

                // Then per-grain rounds, one command in flight per grain so that every command is its own write (turns
                // arriving together would share one; that is coalescing, not what this figure counts).
                stopwatch.Restart();
                await Task.WhenAll(counters.Select(async c =>
                {
                    for (var round = 0; round < perGrain; round++)
                    {
                        await c.Add(1);
                    }
                }));
                var writes = (long)grains * perGrain;
                Report.Figure("grain_writes_per_s" + suffix, writes / stopwatch.Elapsed.TotalSeconds, "writes/s");
                Report.Info($"{writes} writes by {grains} grains in {stopwatch.Elapsed.TotalSeconds:0.00} s, " +
                    $"{silo.Database.Committer.Transactions} transactions so far");

                failures += await CheckAsync(silo, counters, 1 + perGrain, suffix);

                // In-memory calls: a grain with no state, all calls at once over 1,000 activations.
                var echoes = Enumerable.Range(0, 1000).Select(i => silo.Grains.GetGrain<IEchoGrain>(i)).ToArray();
                await Task.WhenAll(echoes.Select(e => e.Echo(0)));
                stopwatch.Restart();
                var calls = new Task<int>[echoCalls];
                for (var i = 0; i < echoCalls; i++)
                {
                    calls[i] = echoes[i % echoes.Length].Echo(i);
                }
                await Task.WhenAll(calls);
                Report.Figure("grain_calls_per_s" + suffix, echoCalls / stopwatch.Elapsed.TotalSeconds, "calls/s");

                // One command at a time against one grain: the wait for its own write.
                var one = counters[0];
                var latencies = new List<double>(ackCalls);
                for (var i = 0; i < ackCalls; i++)
                {
                    var started = Stopwatch.GetTimestamp();
                    await one.Add(1);
                    latencies.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
                }
                Report.Figure("grain_ack_p50_ms" + suffix, Report.Percentile(latencies, 50), "ms");
                Report.Figure("grain_ack_p99_ms" + suffix, Report.Percentile(latencies, 99), "ms");
                if (silo.DeadLetters.Count > 0)
                {
                    Report.Failure("grain_writes" + suffix, $"{silo.DeadLetters.Count} messages were parked");
                    failures++;
                }
            }
            finally
            {
                schema = silo.Database.Schema;
            }
        }
        // Dropped once the silo has stopped: its sweeper would otherwise read tables that are gone.
        if (schema is not null && store != "sqlite")
        {
            await Bench.DropSchemaAsync(database.ConnectionString, schema);
        }
        if (store == "sqlite")
        {
            foreach (var path in new[] { database.ConnectionString, database.ConnectionString + "-wal", database.ConnectionString + "-shm" })
            {
                File.Delete(path);
            }
        }
        return failures == 0 ? 0 : 1;
    }

    /// <summary>Every grain's total through Orleans, and every row's version in the database: one write per command.</summary>
    private static async Task<int> CheckAsync(BenchSilo silo, IDurableCounterGrain[] counters, int expected, string suffix)
    {
        var totals = await Task.WhenAll(counters.Select(c => c.Total().AsTask()));
        var wrong = totals.Count(t => t != expected);
        if (wrong > 0)
        {
            Report.Failure("grain_writes" + suffix, $"{wrong} grains do not hold {expected}");
            return 1;
        }
        if (silo.Database.DataSource is { } dataSource)
        {
            await using var count = dataSource.CreateCommand(
                "SELECT count(*) FROM orch_grain WHERE grain_type = 'bench-counter' AND version = $1");
            count.Parameters.AddWithValue((long)expected);
            var rows = (long)(await count.ExecuteScalarAsync())!;
            if (rows != counters.Length)
            {
                Report.Failure("grain_writes" + suffix, $"{rows} of {counters.Length} state rows are at version {expected}");
                return 1;
            }
        }
        return 0;
    }
}
