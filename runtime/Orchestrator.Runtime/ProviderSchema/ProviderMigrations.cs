using Microsoft.Extensions.DependencyInjection;
using Orchestrator.Runtime.Persistence;
using Orchestrator.Runtime.Persistence.Migrations;

namespace Orchestrator.Runtime.ProviderSchema;

/// <summary>
/// The tables and <c>OrleansQuery</c> rows of the Orleans providers, as migrations of the orchestrator database: versions
/// <see cref="FirstVersion"/> and up of the one <c>orch_schema_migration</c> ledger, applied by
/// <see cref="OrchestratorDatabase.MigrateAsync"/> with the database's own (the log, blob and index tables own 1–99, the
/// grain storage 100–199). Embedded as <c>Clustering/Migrations/Postgres/V2##__*.sql</c> and
/// <c>OrleansReminders/Migrations/&lt;Store&gt;/V2##__*.sql</c>; the next migration of either takes the next free number.
/// The hosting extensions register the sources they need (ProviderSchema/README.md).
/// </summary>
public static class ProviderMigrations
{
    /// <summary>The first version of the provider range.</summary>
    public const int FirstVersion = 200;

    /// <summary>Orleans membership (PostgreSQL only: a single SQLite silo needs no membership table).</summary>
    public static IReadOnlyList<StoreMigrationSource> Clustering { get; } =
    [
        Source(OrchestratorDatabaseOptions.Postgres, "orleans-clustering", "Orchestrator.Runtime.Clustering.Migrations.Postgres."),
    ];

    /// <summary>Orleans reminders: the ADO.NET provider's table on PostgreSQL, <c>SqliteReminderTable</c>'s on SQLite.</summary>
    public static IReadOnlyList<StoreMigrationSource> Reminders { get; } =
    [
        Source(OrchestratorDatabaseOptions.Postgres, "orleans-reminders", "Orchestrator.Runtime.OrleansReminders.Migrations.Postgres."),
        Source(OrchestratorDatabaseOptions.Sqlite, "orleans-reminders", "Orchestrator.Runtime.OrleansReminders.Migrations.Sqlite."),
    ];

    /// <summary>Every provider migration of both stores.</summary>
    public static IReadOnlyList<StoreMigrationSource> All { get; } = [.. Clustering, .. Reminders];

    /// <summary>
    /// Registers <paramref name="sources"/> for <see cref="OrchestratorDatabase"/> to run with its own migrations;
    /// a source already registered (same store and name) is not added twice.
    /// </summary>
    public static IServiceCollection AddProviderMigrations(this IServiceCollection services, IEnumerable<StoreMigrationSource> sources)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(sources);
        foreach (var source in sources)
        {
            var registered = services.Any(d => d.ServiceType == typeof(StoreMigrationSource)
                && d.ImplementationInstance is StoreMigrationSource existing
                && existing.Store == source.Store && existing.Source.Name == source.Source.Name);
            if (!registered)
            {
                services.AddSingleton(source);
            }
        }
        return services;
    }

    private static StoreMigrationSource Source(string store, string name, string resourcePrefix)
    {
        var source = MigrationSource.FromEmbeddedResources(name, typeof(ProviderMigrations).Assembly, resourcePrefix);
        if (source.Migrations.Count == 0)
        {
            throw new InvalidOperationException($"No embedded migrations under {resourcePrefix}: check the EmbeddedResource items of Orchestrator.Runtime.csproj.");
        }
        var stray = source.Migrations.FirstOrDefault(m => m.Version < FirstVersion);
        if (stray is not null)
        {
            throw new InvalidOperationException($"Provider migration {stray.Name} has version {stray.Version}; the provider range starts at {FirstVersion}.");
        }
        return new StoreMigrationSource(store, source);
    }
}
