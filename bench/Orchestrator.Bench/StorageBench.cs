using System.Diagnostics;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;
using Orleans.Runtime;
using Orleans.Storage;
using Orchestrator.Runtime.Indexes;
using Orchestrator.Runtime.Persistence;
using Orchestrator.Runtime.Persistence.GrainState;

namespace Orchestrator.Bench;

/// <summary>
/// The grain storage provider alone, as a fan-out uses it: N grains write their state twice each (insert, then an
/// update), all at once, each write with an index row, through <see cref="IGrainStorage"/>. Group commit versus one
/// transaction per write (what a provider without group commit does), on PostgreSQL; group commit on SQLite.
/// </summary>
internal static class StorageBench
{
    public static async Task<int> RunAsync(Args args)
    {
        var grains = args.Int("grains", 10_000);
        var connection = args.Get("connection");
        var perWriteConcurrency = args.Int("per-write-concurrency", 32);
        var label = grains % 1000 == 0 ? $"{grains / 1000}k" : grains.ToString(System.Globalization.CultureInfo.InvariantCulture);

        await Measure($"storage_{label}x2_seconds_group_commit_pg", grains, Postgres(connection), o => { });
        await Measure($"storage_{label}x2_seconds_one_tx_per_write_pg", grains, Postgres(connection),
            o => (o.CommitBatchSize, o.CommitConcurrency) = (1, perWriteConcurrency));
        var file = Path.Combine(Path.GetTempPath(), $"orch-bench-storage-{Guid.NewGuid():N}.db");
        try
        {
            await Measure($"storage_{label}x2_seconds_group_commit_sqlite", grains, new OrchestratorDatabaseOptions { Store = "sqlite", ConnectionString = file }, o => { });
        }
        finally
        {
            foreach (var path in new[] { file, file + "-wal", file + "-shm" })
            {
                File.Delete(path);
            }
        }
        return 0;
    }

    private static OrchestratorDatabaseOptions Postgres(string connection) => new()
    {
        Store = "postgres",
        ConnectionString = new NpgsqlConnectionStringBuilder(connection) { SearchPath = $"bench_storage_{Guid.NewGuid():N}", MaxPoolSize = 64 }.ToString(),
    };

    private static async Task Measure(string name, int grains, OrchestratorDatabaseOptions options, Action<OrchestratorDatabaseOptions> configure)
    {
        configure(options);
        await using var database = OrchestratorDatabase.Open(options, NullLoggerFactory.Instance);
        try
        {
            await database.MigrateAsync();
            IGrainStorage storage = new OrchestratorGrainStorage("bench", database, null, NullLogger<OrchestratorGrainStorage>.Instance);
            var stopwatch = Stopwatch.StartNew();
            await Task.WhenAll(Enumerable.Range(0, grains).Select(i => Task.Run(() => TwoWritesAsync(storage, i))));
            var seconds = stopwatch.Elapsed.TotalSeconds;
            Report.Figure(name, seconds, "s");
            Report.Info($"{name}: {2 * grains / seconds:0} writes/s in {database.Committer.Transactions} transactions " +
                $"(batch ≤ {options.CommitBatchSize}, {database.Committer.Concurrency} in flight)");
        }
        finally
        {
            if (database.DataSource is { } dataSource)
            {
                await using var drop = dataSource.CreateCommand($"DROP SCHEMA IF EXISTS \"{database.Schema}\" CASCADE");
                await drop.ExecuteNonQueryAsync();
            }
        }
    }

    private static async Task TwoWritesAsync(IGrainStorage storage, int i)
    {
        var grain = GrainId.Create("target", $"i1:0:host-{i:D6}");
        var state = new TestGrainState(new TargetState { Host = $"host-{i:D6}", Status = "dispatched" });
        state.State.Pending.Add(IndexWrite.Upsert(new IndexRow("target", "i1:0", $"host-{i:D6}", 1, null)));
        await storage.WriteStateAsync("state", grain, state);
        state.State.Status = "succeeded";
        state.State.ExitCode = 0;
        state.State.Pending.Add(IndexWrite.Upsert(new IndexRow("target", "i1:0", $"host-{i:D6}", 3, null)));
        await storage.WriteStateAsync("state", grain, state);
    }

    /// <summary>About what a host target holds: a few fields and a run record.</summary>
    private sealed class TargetState : IIndexedState
    {
        public string Host { get; set; } = "";

        public string Status { get; set; } = "";

        public int? ExitCode { get; set; }

        public int Attempt { get; set; } = 1;

        public string RunId { get; set; } = Guid.NewGuid().ToString("N");

        public DateTimeOffset StartedAt { get; set; } = new(2026, 12, 1, 10, 0, 0, TimeSpan.Zero);

        internal List<IndexWrite> Pending { get; } = [];

        public IReadOnlyList<IndexWrite> PendingIndexWrites => Pending;

        public void IndexWritesCommitted(int count) => Pending.RemoveRange(0, count);
    }

    private sealed class TestGrainState(TargetState state) : Orleans.IGrainState<TargetState>
    {
        [System.Diagnostics.CodeAnalysis.AllowNull]
        public TargetState State { get; set; } = state;

        public string? ETag { get; set; }

        public bool RecordExists { get; set; }
    }
}
