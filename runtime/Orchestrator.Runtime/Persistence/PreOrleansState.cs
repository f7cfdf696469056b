using Npgsql;

namespace Orchestrator.Runtime.Persistence;

/// <summary>
/// Refuses a database whose grain state was written by the engine before it moved onto Orleans (table
/// <c>orch_grain_state</c>): this version cannot read that state, and starting on it would show empty plans and runs
/// as if the work were gone. The operator decides: finish the runs on the previous version, or drop the old tables.
/// </summary>
internal static class PreOrleansState
{
    private const string Tables = "orch_grain_state, orch_inbox, orch_dedupe, orch_reminder, orch_shard_lease, orch_silo, orch_membership_version, orch_meta";

    public static async Task ThrowIfPresentAsync(OrchestratorDatabase database, CancellationToken cancellationToken)
    {
        long grains;
        if (database.DataSource is { } dataSource)
        {
            await using var exists = dataSource.CreateCommand("SELECT to_regclass('orch_grain_state') IS NOT NULL");
            if (!(bool)(await exists.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false))!)
            {
                return;
            }
            await using var count = dataSource.CreateCommand("SELECT count(*) FROM orch_grain_state");
            grains = (long)(await count.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false))!;
        }
        else
        {
            grains = await database.Sqlite!.ReadAsync(connection =>
            {
                using var exists = connection.CreateCommand();
                exists.CommandText = "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'orch_grain_state'";
                if ((long)exists.ExecuteScalar()! == 0)
                {
                    return 0L;
                }
                using var count = connection.CreateCommand();
                count.CommandText = "SELECT count(*) FROM orch_grain_state";
                return (long)count.ExecuteScalar()!;
            }, cancellationToken).ConfigureAwait(false);
        }
        if (grains > 0)
        {
            throw new InvalidOperationException(
                $"ConnectionString: this database holds the state of {grains} grains written by the engine before it moved onto " +
                "Orleans (table orch_grain_state); this version cannot read it, and starting would show its plans, runs and " +
                "schedules as gone. Finish the runs with the previous version, or start on a new database; to keep this one and " +
                $"leave that state behind (logs and files stay readable), drop the old tables first: DROP TABLE {Tables};");
        }
    }
}
