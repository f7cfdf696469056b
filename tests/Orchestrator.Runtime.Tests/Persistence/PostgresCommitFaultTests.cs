using Npgsql;
using Orchestrator.Runtime.Indexes;
using Orchestrator.Runtime.Persistence;
using Orchestrator.Runtime.Persistence.GrainState;
using Xunit.Abstractions;

namespace Orchestrator.Runtime.Tests.Persistence;

/// <summary>
/// A group commit whose connection is terminated by the server (<c>pg_terminate_backend</c> from another connection,
/// as an operator or a failover does) leaves all of its batch or nothing, never part, and its writers can retry.
/// </summary>
public sealed class PostgresCommitFaultTests(ITestOutputHelper output)
{
    private const int Writes = 2000;

    [Fact]
    public async Task CommitAsync_ConnectionTerminatedMidCommit_LeavesAllOrNothingOfTheBatch()
    {
        await using var db = await StoreUnderTest.CreateAsync(OrchestratorDatabaseOptions.Postgres);
        var application = new NpgsqlConnectionStringBuilder(db.ConnectionString).ApplicationName!;
        await using var admin = new NpgsqlConnection(StoreUnderTest.AdminConnectionString());
        await admin.OpenAsync();
        var interrupted = 0;
        var seen = new List<string>();
        for (var attempt = 0; attempt < 20 && interrupted < 3; attempt++)
        {
            var prefix = $"a{attempt}:";
            var writes = Batch(prefix);
            var commit = db.Database.GrainStates.CommitAsync(writes, CancellationToken.None);
            var kills = 0;
            while (!commit.IsCompleted)
            {
                await using var kill = new NpgsqlCommand(
                    "SELECT count(*) FROM (SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = @app AND state <> 'idle' AND pid <> pg_backend_pid()) k",
                    admin);
                kill.Parameters.AddWithValue("app", application);
                kills += (int)(long)(await kill.ExecuteScalarAsync())!;
            }
            Exception? failure = null;
            try
            {
                await commit;
            }
            catch (Exception ex) when (ex is NpgsqlException or InvalidOperationException)
            {
                failure = ex;
            }
            var (states, rows) = await CountAsync(db, prefix);
            seen.Add($"attempt {attempt}: kills {kills}, {(failure is null ? "committed" : failure.GetType().Name)}, states {states}, rows {rows}");
            if (failure is null)
            {
                Assert.Equal((Writes, 2 * Writes), (states, rows));
                continue;
            }
            interrupted++;
            Assert.True((states, rows) is (0, 0) or (Writes, 2 * Writes), string.Join("\n", seen));

            // The writers retry with what they hold: all of them apply, or all learn the batch had applied.
            var retried = await db.Database.GrainStates.CommitAsync(writes, CancellationToken.None);
            var expected = states == 0 ? GrainWriteOutcome.Committed(1) : GrainWriteOutcome.Conflict(1);
            Assert.All(retried, o => Assert.Equal(expected, o));
            Assert.Equal((Writes, 2 * Writes), await CountAsync(db, prefix));
        }
        output.WriteLine(string.Join("\n", seen));
        Assert.True(interrupted > 0, "no commit was ever interrupted:\n" + string.Join("\n", seen));
    }

    private static List<GrainStateWrite> Batch(string prefix)
    {
        var padding = new string('x', 2000);
        return [.. Enumerable.Range(0, Writes).Select(i => new GrainStateWrite(
            new GrainStateKey("target", $"{prefix}{i:D5}", "state"), null, $$"""{"n":{{i}},"pad":"{{padding}}"}""",
            [IndexWrite.Upsert(new IndexRow("target", prefix, $"{i:D5}", 1, null)), IndexWrite.Upsert(new IndexRow("host", prefix, $"{i:D5}", 1, null))]))];
    }

    private static async Task<(long States, long Rows)> CountAsync(StoreUnderTest db, string prefix)
    {
        var states = (long)(await db.ScalarAsync($"SELECT count(*) FROM orch_grain WHERE grain_key LIKE '{prefix}%'"))!;
        var rows = (long)(await db.ScalarAsync($"SELECT count(*) FROM orch_index WHERE part = '{prefix}'"))!;
        return (states, rows);
    }
}
