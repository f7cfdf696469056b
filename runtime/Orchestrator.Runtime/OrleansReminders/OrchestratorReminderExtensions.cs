using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Orchestrator.Runtime.Clustering;
using Orchestrator.Runtime.Persistence;
using Orchestrator.Runtime.ProviderSchema;
using Orleans;
using Orleans.Configuration;
using Orleans.Hosting;

namespace Orchestrator.Runtime.OrleansReminders;

/// <summary>Orleans reminders in the orchestrator database, whichever store it is.</summary>
public static class OrchestratorReminderExtensions
{
    // Orleans' ADO.NET reminder table is internal: learn its type from the provider's own registration.
    private static readonly Lazy<Type> AdoNetReminderTableType = new(() =>
    {
        var scratch = new ServiceCollection();
        scratch.UseAdoNetReminderService(static (OptionsBuilder<AdoNetReminderTableOptions> _) => { });
        return scratch.LastOrDefault(d => d.ServiceType == typeof(IReminderTable))?.ImplementationType
            ?? throw new InvalidOperationException("UseAdoNetReminderService registered no IReminderTable type; Microsoft.Orleans.Reminders.AdoNet changed.");
    });

    /// <summary>
    /// Adds Orleans reminders stored in the orchestrator database registered with
    /// <see cref="OrchestratorPersistenceExtensions.AddOrchestratorDatabase(ISiloBuilder, Action{OrchestratorDatabaseOptions})"/>:
    /// on SQLite our <see cref="SqliteReminderTable"/> (through the database's single writer), on PostgreSQL Orleans'
    /// ADO.NET provider (<c>Microsoft.Orleans.Reminders.AdoNet</c>, invariant <c>Npgsql</c>) over our query texts. The
    /// database creates the table (migration 201) when it migrates, before the reminder service starts.
    /// </summary>
    public static ISiloBuilder UseOrchestratorReminders(this ISiloBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.AddReminders();
        builder.Services.AddProviderMigrations(ProviderMigrations.Reminders);
        builder.Services.AddOptions<AdoNetReminderTableOptions>()
            .Configure<IOptions<OrchestratorDatabaseOptions>>((reminders, database) =>
            {
                reminders.Invariant = OrchestratorClusteringExtensions.PostgresInvariant;
                reminders.ConnectionString = database.Value.ConnectionString;
            });
        builder.Services.AddSingleton<IReminderTable>(static services =>
        {
            var database = services.GetService<OrchestratorDatabase>() ?? throw new InvalidOperationException(
                "UseOrchestratorReminders keeps reminders in the orchestrator database: register it with AddOrchestratorDatabase(...).");
            return database.Kind == OrchestratorDatabaseOptions.Postgres
                ? (IReminderTable)ActivatorUtilities.CreateInstance(services, AdoNetReminderTableType.Value)
                : new SqliteReminderTable(services.GetRequiredService<IOptions<ClusterOptions>>(), database);
        });
        return builder;
    }
}
