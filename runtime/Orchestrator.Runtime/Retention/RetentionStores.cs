using Orchestrator.Runtime.Persistence;

namespace Orchestrator.Runtime.Retention;

/// <summary>The retention queries of a database (<see cref="IRetentionStore"/>), on its own connections.</summary>
public static class RetentionStores
{
    public static IRetentionStore On(OrchestratorDatabase database)
    {
        ArgumentNullException.ThrowIfNull(database);
        return database.DataSource is { } dataSource ? new PostgresRetentionStore(dataSource) : new SqliteRetentionStore(database.Sqlite!);
    }
}
