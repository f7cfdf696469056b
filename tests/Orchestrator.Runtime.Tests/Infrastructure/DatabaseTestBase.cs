using Microsoft.Extensions.Logging.Abstractions;
using Orchestrator.Runtime.Persistence;

namespace Orchestrator.Runtime.Tests.Infrastructure;

/// <summary>
/// Opens migrated orchestrator databases on one store kind for a test (a schema of its own on PostgreSQL, a new file
/// on SQLite) and drops them afterwards.
/// </summary>
public abstract class DatabaseTestBase : IAsyncLifetime
{
    private readonly List<OrchestratorDatabase> _databases = [];
    private readonly List<OrchestratorDatabaseOptions> _stores = [];

    /// <summary>A fresh store location for this test.</summary>
    protected abstract OrchestratorDatabaseOptions NewStore();

    /// <summary>The options of the database opened last.</summary>
    protected OrchestratorDatabaseOptions CurrentStore => _stores[^1];

    /// <summary>A new database, migrated.</summary>
    protected async Task<OrchestratorDatabase> OpenAsync(Action<OrchestratorDatabaseOptions>? configure = null)
    {
        var options = NewStore();
        configure?.Invoke(options);
        _stores.Add(options);
        return await OpenAgainAsync(options);
    }

    /// <summary>Another database object on the same store (what a second process sees).</summary>
    protected async Task<OrchestratorDatabase> OpenAgainAsync(OrchestratorDatabaseOptions options)
    {
        var database = OrchestratorDatabase.Open(options, NullLoggerFactory.Instance);
        _databases.Add(database);
        await database.MigrateAsync();
        return database;
    }

    /// <summary>Runs <paramref name="sql"/> on <paramref name="database"/>'s store, as a migration would (no transaction of ours).</summary>
    protected async Task ExecuteAsync(OrchestratorDatabase database, string sql)
    {
        ArgumentNullException.ThrowIfNull(database);
        if (database.DataSource is { } postgres)
        {
            await using var command = postgres.CreateCommand(sql);
            await command.ExecuteNonQueryAsync();
            return;
        }
        await using var connection = new Microsoft.Data.Sqlite.SqliteConnection(CurrentStore.ConnectionString);
        await connection.OpenAsync();
        await using var sqlite = connection.CreateCommand();
        sqlite.CommandText = sql;
        await sqlite.ExecuteNonQueryAsync();
    }

    /// <summary>Runs the store's migration <paramref name="version"/> again on <paramref name="database"/>.</summary>
    protected Task MigrateAgainAsync(OrchestratorDatabase database, int version) =>
        ExecuteAsync(database, OrchestratorDatabase.StorageMigrations(CurrentStore.Store).Migrations.Single(m => m.Version == version).Sql);

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        foreach (var database in _databases)
        {
            await database.DisposeAsync();
        }
        foreach (var store in _stores)
        {
            await TestStores.DropAsync(store);
        }
    }
}
