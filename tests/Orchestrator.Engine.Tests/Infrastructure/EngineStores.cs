using Orchestrator.Runtime.Persistence;
using Orchestrator.Runtime.Tests.Infrastructure;

namespace Orchestrator.Engine.Tests.Infrastructure;

/// <summary>Fresh databases for one test: a new schema on the test PostgreSQL server, or a new SQLite file.</summary>
public static class EngineStores
{
    public static OrchestratorDatabaseOptions Postgres(string prefix) =>
        new() { Store = OrchestratorDatabaseOptions.Postgres, ConnectionString = PostgresServer.NewSchema(prefix) };

    public static OrchestratorDatabaseOptions Sqlite() => new()
    {
        Store = OrchestratorDatabaseOptions.Sqlite,
        ConnectionString = $"Data Source={Path.Combine(Path.GetTempPath(), "orch-tests", Guid.NewGuid().ToString("N") + ".db")}",
    };

    /// <summary>Drops a test's PostgreSQL schema (SQLite files live in the temp folder and are left to it).</summary>
    public static Task DropAsync(OrchestratorDatabaseOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return options.Store == OrchestratorDatabaseOptions.Postgres ? PostgresServer.DropSchemaAsync(options.ConnectionString) : Task.CompletedTask;
    }
}
