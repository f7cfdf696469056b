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
