using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Orchestrator.Runtime.Clustering;
using Orchestrator.Runtime.OrleansReminders;
using Orchestrator.Runtime.Persistence;
using Orchestrator.Runtime.Persistence.Migrations;
using Orchestrator.Runtime.ProviderSchema;
using Orchestrator.Runtime.Tests.Infrastructure;
using Orleans;
using Orleans.Configuration;
using Orleans.Hosting;

namespace Orchestrator.Runtime.Tests.ProviderSchema;

/// <summary>
/// The provider tables are migrations 200+ of the orchestrator database's one ledger, applied by its runner, and the
/// hosting extensions wire the providers to that database.
/// </summary>
public sealed class ProviderMigrationTests
{
    [Theory]
    [InlineData(OrchestratorDatabaseOptions.Postgres)]
    [InlineData(OrchestratorDatabaseOptions.Sqlite)]
    public void Sources_OfEachStore_AreInTheProviderRangeBesideTheDatabasesOwn(string store)
    {
        var providers = ProviderMigrations.All.Where(s => s.Store == store).Select(s => s.Source).ToList();

        var all = MigrationSource.Ordered([OrchestratorDatabase.StorageMigrations(store), .. providers]);

        var versions = providers.SelectMany(p => p.Migrations).Select(m => m.Version).ToList();
        Assert.NotEmpty(versions);
        Assert.All(versions, v => Assert.InRange(v, ProviderMigrations.FirstVersion, 299));
        Assert.Equal(all.Count, all.Select(m => m.Version).Distinct().Count());
    }

    [Fact]
    public async Task MigrateAsync_Postgres_RecordsTheProviderTablesInTheDatabasesLedgerOnce()
    {
        await using var schema = await PostgresProviderSchema.CreateAsync("pmig", migrate: false);

        await MigratePostgresAsync(schema.ConnectionString);
        await MigratePostgresAsync(schema.ConnectionString);

        var ledger = await schema.QueryAsync("SELECT version, name FROM orch_schema_migration WHERE version BETWEEN 200 AND 299 ORDER BY version");
        Assert.Equal([(200, "V200__orleans_membership"), (201, "V201__orleans_reminders")], ledger.Select(r => ((int)r["version"]!, (string)r["name"]!)));
        var queries = await schema.QueryAsync("SELECT querykey FROM orleansquery");
        Assert.Contains(queries, q => (string)q["querykey"]! == "UpdateIAmAlivetimeKey");
        Assert.Contains(queries, q => (string)q["querykey"]! == "UpsertReminderRowKey");
        Assert.Empty(await schema.QueryAsync("SELECT 1 FROM pg_tables WHERE schemaname = @s AND tablename = 'orch_provider_migration'", ("s", schema.Schema)));
    }

    [Fact]
    public async Task MigrateAsync_SilosOnAFreshPostgresSchemaAtOnce_AllSucceedAndEachVersionIsAppliedOnce()
    {
        await using var schema = await PostgresProviderSchema.CreateAsync("pmigc", migrate: false);

        // Silos of a new cluster start together, each migrating the schema that does not exist yet.
        await Task.WhenAll(Enumerable.Range(0, 6).Select(_ => Task.Run(() => MigratePostgresAsync(schema.ConnectionString))));

        var ledger = await schema.QueryAsync("SELECT version FROM orch_schema_migration");
        Assert.Equal(ledger.Count, ledger.Select(r => (int)r["version"]!).Distinct().Count());
        Assert.Contains(ledger, r => (int)r["version"]! == 201);
    }

    [Fact]
    public async Task MigrateAsync_Sqlite_RecordsTheReminderTableInTheDatabasesLedgerOnce()
    {
        await using var file = await SqliteProviderFile.CreateAsync(migrate: false);

        await file.Database.MigrateAsync();
        await using (var again = OrchestratorDatabase.Open(
            new OrchestratorDatabaseOptions { Store = OrchestratorDatabaseOptions.Sqlite, ConnectionString = file.ConnectionString },
            NullLoggerFactory.Instance, ProviderMigrations.All))
        {
            await again.MigrateAsync();
        }

        await using var connection = new SqliteConnection(file.ConnectionString);
        await connection.OpenAsync();
        await using var ledger = new SqliteCommand("SELECT version || ' ' || name FROM orch_schema_migration WHERE version BETWEEN 200 AND 299", connection);
        Assert.Equal("201 V201__orleans_reminders", await ledger.ExecuteScalarAsync());
        await using var tables = new SqliteCommand("SELECT group_concat(name) FROM sqlite_master WHERE type = 'table' AND name IN ('orch_reminder_entry', 'orch_provider_migration', 'orleansquery')", connection);
        Assert.Equal("orch_reminder_entry", await tables.ExecuteScalarAsync());
    }

    [Theory]
    [InlineData(OrchestratorDatabaseOptions.Postgres, "AdoNetReminderTable")]
    [InlineData(OrchestratorDatabaseOptions.Sqlite, nameof(SqliteReminderTable))]
    public void UseOrchestratorReminders_ResolvesTheTableOfTheDatabasesStore_AndRegistersItsMigrations(string store, string table)
    {
        var connection = store == OrchestratorDatabaseOptions.Postgres
            ? "Host=127.0.0.1;Port=1;Search Path=unused"
            : $"Data Source={Path.Combine(Path.GetTempPath(), "orch-tests", $"unused-{Guid.NewGuid():N}.db")}";
        using var host = BuildSilo(silo => silo
            .AddOrchestratorDatabase(o => (o.Store, o.ConnectionString) = (store, connection))
            .UseOrchestratorReminders()
            .UseOrchestratorReminders()); // twice: still one table, one set of migrations

        Assert.Equal(table, host.Services.GetRequiredService<IReminderTable>().GetType().Name);
        Assert.Equal(2, host.Services.GetServices<StoreMigrationSource>().Count());
        Assert.All(host.Services.GetServices<StoreMigrationSource>(), s => Assert.Equal("orleans-reminders", s.Source.Name));
        if (store == OrchestratorDatabaseOptions.Postgres)
        {
            var options = host.Services.GetRequiredService<IOptions<AdoNetReminderTableOptions>>().Value;
            Assert.Equal((OrchestratorClusteringExtensions.PostgresInvariant, connection), (options.Invariant, options.ConnectionString));
        }
    }

    [Fact]
    public void UseOrchestratorReminders_WithoutTheDatabase_SaysToAddIt()
    {
        using var host = BuildSilo(silo => silo.UseOrchestratorReminders());

        var error = Assert.Throws<InvalidOperationException>(() => host.Services.GetRequiredService<IReminderTable>());
        Assert.Contains("AddOrchestratorDatabase", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void UseOrchestratorClustering_TakesTheDatabasesPostgresConnection()
    {
        const string connection = "Host=127.0.0.1;Port=1;Search Path=cluster_a";
        using var host = BuildSilo(silo => silo
            .AddOrchestratorDatabase(o => (o.Store, o.ConnectionString) = (OrchestratorDatabaseOptions.Postgres, connection))
            .UseOrchestratorClustering());

        var options = host.Services.GetRequiredService<IOptions<AdoNetClusteringSiloOptions>>().Value;

        Assert.Equal((OrchestratorClusteringExtensions.PostgresInvariant, connection), (options.Invariant, options.ConnectionString));
        Assert.Equal("orleans-clustering", Assert.Single(host.Services.GetServices<StoreMigrationSource>()).Source.Name);
    }

    [Fact]
    public void UseOrchestratorClustering_OnASqliteDatabase_FailsNamingTheStore()
    {
        using var host = BuildSilo(silo => silo
            .AddOrchestratorDatabase(o => (o.Store, o.ConnectionString) = (OrchestratorDatabaseOptions.Sqlite, "Data Source=unused.db"))
            .UseOrchestratorClustering());

        var error = Assert.Throws<OptionsValidationException>(() => host.Services.GetRequiredService<IOptions<AdoNetClusteringSiloOptions>>().Value);
        Assert.Contains("Store 'postgres'", error.Message, StringComparison.Ordinal);
    }

    private static async Task MigratePostgresAsync(string connectionString)
    {
        await using var database = OrchestratorDatabase.Open(
            new OrchestratorDatabaseOptions { Store = OrchestratorDatabaseOptions.Postgres, ConnectionString = connectionString },
            NullLoggerFactory.Instance, ProviderMigrations.All);
        await database.MigrateAsync();
    }

    /// <summary>A silo's host, built but never started: enough to resolve what the extensions registered.</summary>
    private static IHost BuildSilo(Action<ISiloBuilder> configure)
    {
        var builder = Host.CreateApplicationBuilder();
        builder.UseOrleans(configure);
        return builder.Build();
    }
}
