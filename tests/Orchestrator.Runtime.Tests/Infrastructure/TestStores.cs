using Npgsql;
using Orchestrator.Runtime.Persistence;

namespace Orchestrator.Runtime.Tests.Infrastructure;

/// <summary>Fresh store locations: a new schema on the test PostgreSQL server, or a new SQLite file.</summary>
public static class TestStores
{
    public static OrchestratorDatabaseOptions Postgres(string prefix) =>
        new() { Store = OrchestratorDatabaseOptions.Postgres, ConnectionString = PostgresServer.NewSchema(prefix) };

    public static OrchestratorDatabaseOptions Sqlite() =>
        new() { Store = OrchestratorDatabaseOptions.Sqlite, ConnectionString = $"Data Source={Path.Combine(Path.GetTempPath(), "orch-tests", Guid.NewGuid().ToString("N") + ".db")}" };

    /// <summary>Drops a test's PostgreSQL schema (SQLite files live in the temp folder and are left to it).</summary>
    public static async Task DropAsync(OrchestratorDatabaseOptions options)
    {
        if (options.Store != OrchestratorDatabaseOptions.Postgres)
        {
            return;
        }
        await PostgresServer.DropSchemaAsync(options.ConnectionString);
    }
}

/// <summary>A PostgreSQL schema of its own for one test, dropped afterwards.</summary>
public sealed class TestSchema : IAsyncDisposable
{
    private readonly OrchestratorDatabaseOptions _options = TestStores.Postgres("proc");

    public string ConnectionString => _options.ConnectionString;

    public ValueTask DisposeAsync() => new(TestStores.DropAsync(_options));
}
