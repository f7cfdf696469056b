using Microsoft.Extensions.DependencyInjection;
using Orchestrator.Runtime.Clustering;
using Orleans;
using Orleans.Hosting;

namespace Orchestrator.Runtime.OrleansReminders;

/// <summary>Registers the reminder table for each store: ours on SQLite, Orleans' ADO.NET provider on PostgreSQL.</summary>
public static class OrleansReminderHostingExtensions
{
    /// <summary>
    /// Reminders on the embedded SQLite file through <see cref="SqliteReminderTable"/>, for a single silo. The file needs
    /// the provider migrations first (<c>ProviderMigrationRunner.ApplySqliteAsync</c>).
    /// </summary>
    public static ISiloBuilder UseOrchestratorSqliteReminders(this ISiloBuilder builder, string connectionString)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentException.ThrowIfNullOrWhiteSpace(connectionString);
        return builder.UseOrchestratorSqliteReminders(options => options.ConnectionString = connectionString);
    }

    /// <inheritdoc cref="UseOrchestratorSqliteReminders(ISiloBuilder, string)"/>
    public static ISiloBuilder UseOrchestratorSqliteReminders(this ISiloBuilder builder, Action<SqliteReminderTableOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(configure);
        builder.AddReminders();
        builder.Services.AddOptions<SqliteReminderTableOptions>()
            .Configure(configure)
            .Validate(o => !string.IsNullOrWhiteSpace(o.ConnectionString), "SqliteReminderTableOptions.ConnectionString is required: the SQLite file that holds the reminders.")
            .Validate(o => o.BusyTimeout > TimeSpan.Zero, "SqliteReminderTableOptions.BusyTimeout must be greater than zero.")
            .ValidateOnStart();
        builder.Services.AddSingleton<IReminderTable, SqliteReminderTable>();
        return builder;
    }

    /// <summary>
    /// Reminders on PostgreSQL through Orleans' ADO.NET provider (<c>UseAdoNetReminderService</c>, invariant
    /// <c>Npgsql</c>), reading our query texts from <c>OrleansQuery</c>. The schema named by the connection string's search
    /// path needs the provider migrations first (<c>ProviderMigrationRunner.ApplyPostgresAsync</c>).
    /// </summary>
    public static ISiloBuilder UseOrchestratorPostgresReminders(this ISiloBuilder builder, string connectionString)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentException.ThrowIfNullOrWhiteSpace(connectionString);
        return builder.UseAdoNetReminderService(options =>
        {
            options.Invariant = OrleansClusteringHostingExtensions.PostgresInvariant;
            options.ConnectionString = connectionString;
        });
    }
}
