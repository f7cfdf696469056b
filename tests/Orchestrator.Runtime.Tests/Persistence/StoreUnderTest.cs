using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;
using Orchestrator.Runtime.Persistence;
using Orchestrator.Runtime.Tests.Infrastructure;

namespace Orchestrator.Runtime.Tests.Persistence;

/// <summary>A fresh database for one test: a PostgreSQL schema of its own or a new SQLite file, migrated.</summary>
public sealed class StoreUnderTest : IAsyncDisposable
{
    private readonly OrchestratorDatabaseOptions _location;

    private StoreUnderTest(OrchestratorDatabaseOptions location, OrchestratorDatabase database)
    {
        _location = location;
        Database = database;
    }

    public OrchestratorDatabase Database { get; }

    public string ConnectionString => _location.ConnectionString;

    public static async Task<StoreUnderTest> CreateAsync(string store, Action<OrchestratorDatabaseOptions>? configure = null, IEnumerable<StoreMigrationSource>? extra = null)
    {
        var location = store == OrchestratorDatabaseOptions.Postgres ? TestStores.Postgres("gs") : TestStores.Sqlite();
        var options = new OrchestratorDatabaseOptions { Store = store, ConnectionString = location.ConnectionString };
        configure?.Invoke(options);
        var database = OrchestratorDatabase.Open(options, NullLoggerFactory.Instance, extra);
        await database.MigrateAsync();
        return new StoreUnderTest(location, database);
    }

    /// <summary>A value read with plain SQL, as a support engineer would.</summary>
    public async Task<object?> ScalarAsync(string sql)
    {
        if (Database.DataSource is { } dataSource)
        {
            await using var cmd = dataSource.CreateCommand(sql);
            var value = await cmd.ExecuteScalarAsync();
            return value is DBNull ? null : value;
        }
        await using var connection = new Microsoft.Data.Sqlite.SqliteConnection(Database.Sqlite!.ConnectionString);
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        var result = await command.ExecuteScalarAsync();
        return result is DBNull ? null : result;
    }

    public async ValueTask DisposeAsync()
    {
        await Database.DisposeAsync();
        await TestStores.DropAsync(_location);
    }

    /// <summary>The server's own connection string with another application name (to find and kill our backends).</summary>
    public static string AdminConnectionString() =>
        new NpgsqlConnectionStringBuilder(PostgresServer.ConnectionString) { ApplicationName = "orch-test-admin", Pooling = false }.ToString();
}
