using Npgsql;
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
    public static async Task DropAsync(OrchestratorDatabaseOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (options.Store != OrchestratorDatabaseOptions.Postgres)
        {
            return;
        }
        var schema = new NpgsqlConnectionStringBuilder(options.ConnectionString).SearchPath;
        await using var connection = new NpgsqlConnection(PostgresServer.ConnectionString);
        await connection.OpenAsync();
        await using var drop = new NpgsqlCommand($"DROP SCHEMA IF EXISTS \"{schema}\" CASCADE", connection);
        await drop.ExecuteNonQueryAsync();
    }
}
