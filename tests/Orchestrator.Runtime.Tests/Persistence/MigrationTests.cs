using Microsoft.Extensions.Logging.Abstractions;
using Orchestrator.Runtime.Persistence;
using Orchestrator.Runtime.Persistence.Migrations;
using Orchestrator.Runtime.Tests.Infrastructure;

namespace Orchestrator.Runtime.Tests.Persistence;

/// <summary>
/// The database's migrations, on both stores: re-runnable, and taking extra sources (the Orleans provider tables) in their own version range.
/// </summary>
public abstract class MigrationTests
{
    protected abstract string Store { get; }

    private static MigrationSource Extra(int version, string table) =>
        new("extra", [new SchemaMigration(version, $"V{version}__extra", $"CREATE TABLE IF NOT EXISTS {table} (id INTEGER PRIMARY KEY)")]);

    [Fact]
    public async Task MigrateAsync_WithAnExtraSource_AppliesItOnceBesideOurs()
    {
        var extra = new[] { new StoreMigrationSource(Store, Extra(250, "orch_extra")), new StoreMigrationSource("other-store", Extra(251, "orch_not_mine")) };
        await using var db = await StoreUnderTest.CreateAsync(Store, extra: extra);

        await using (var again = OrchestratorDatabase.Open(db.Database.Options, NullLoggerFactory.Instance, extra))
        {
            await again.MigrateAsync();
            await again.MigrateAsync();
        }

        Assert.Equal(string.Join(",", (Ours + ",250").Split(',').Select(int.Parse).Order()), await VersionsAsync(db));
        Assert.Equal(0L, Convert.ToInt64(await db.ScalarAsync("SELECT count(*) FROM orch_extra"), System.Globalization.CultureInfo.InvariantCulture));
    }

    [Fact]
    public async Task MigrateAsync_SourceClaimingATakenVersion_IsRefusedNamingBoth()
    {
        var location = Store == OrchestratorDatabaseOptions.Postgres ? TestStores.Postgres("gs") : TestStores.Sqlite();
        await using var db = OrchestratorDatabase.Open(new OrchestratorDatabaseOptions { Store = Store, ConnectionString = location.ConnectionString }, NullLoggerFactory.Instance,
            [new StoreMigrationSource(Store, Extra(100, "orch_clash"))]);

        var refused = await Assert.ThrowsAsync<InvalidOperationException>(() => db.MigrateAsync());

        Assert.Contains("'extra'", refused.Message, StringComparison.Ordinal);
        Assert.Contains("'storage'", refused.Message, StringComparison.Ordinal);
        await TestStores.DropAsync(location);
    }

    [Fact]
    public async Task MigrateAsync_OnStateOfTheEngineBeforeOrleans_RefusesNamingTheTableAndTheWayOut()
    {
        await using var db = await StoreUnderTest.CreateAsync(Store);
        await db.ScalarAsync("CREATE TABLE orch_grain_state (grain_type text, grain_key text, version bigint, state text)");
        await using (var empty = OrchestratorDatabase.Open(db.Database.Options, NullLoggerFactory.Instance))
        {
            await empty.MigrateAsync(); // the table alone (no state in it) is no reason to refuse
        }
        await db.ScalarAsync("INSERT INTO orch_grain_state VALUES ('plan', 'hello', 3, '{}')");

        await using var old = OrchestratorDatabase.Open(db.Database.Options, NullLoggerFactory.Instance);
        var refused = await Assert.ThrowsAsync<InvalidOperationException>(() => old.MigrateAsync());

        Assert.StartsWith("ConnectionString: this database holds the state of 1 grains", refused.Message, StringComparison.Ordinal);
        Assert.Contains("DROP TABLE orch_grain_state", refused.Message, StringComparison.Ordinal);
        await db.ScalarAsync("DROP TABLE orch_grain_state");
        await old.MigrateAsync(); // a later start, after the operator chose, goes on
    }

    /// <summary>Our own versions: the log, blob and index tables (2, and 3 on PostgreSQL), then 100, then the audit log (300).</summary>
    private string Ours => Store == OrchestratorDatabaseOptions.Postgres ? "2,3,4,5,100,300" : "2,4,5,100,300";

    private async Task<string> VersionsAsync(StoreUnderTest db) =>
        (string)(await db.ScalarAsync(Store == OrchestratorDatabaseOptions.Postgres
            ? "SELECT string_agg(version::text, ',' ORDER BY version) FROM orch_schema_migration"
            : "SELECT group_concat(version, ',') FROM (SELECT version FROM orch_schema_migration ORDER BY version)"))!;
}

public sealed class PostgresMigrationTests : MigrationTests
{
    protected override string Store => OrchestratorDatabaseOptions.Postgres;
}

public sealed class SqliteMigrationTests : MigrationTests
{
    protected override string Store => OrchestratorDatabaseOptions.Sqlite;
}
