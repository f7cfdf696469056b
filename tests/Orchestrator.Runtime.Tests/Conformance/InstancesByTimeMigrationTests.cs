using Orchestrator.Runtime.Persistence;
using Orchestrator.Runtime.Tests.Infrastructure;

namespace Orchestrator.Runtime.Tests.Conformance;

/// <summary>
/// Migration 5 on both stores: a run's 'instance' row of before it gets its 'instancetime' row (same partition, status
/// and data; key the seconds from creation to 99999999999, '/', the id: the key the instance grain writes, a fraction
/// of .9999999 cut, not rounded up); run again, it changes nothing.
/// </summary>
public abstract class InstancesByTimeMigrationTests : DatabaseTestBase
{
    [Fact]
    public async Task Migration5_RunOfBefore_GetsItsTimeRowWithTheGrainsKey_RunAgainNoChange()
    {
        var database = await OpenAsync();
        const string created = "2026-12-05T21:33:00.9999999+00:00";
        const string data = $$"""{"planId":"p1","planVersion":2,"planName":"p","status":"succeeded","createdAt":"{{created}}"}""";
        var now = database.DataSource is null ? "0" : "now()";
        await ExecuteAsync(database, $"INSERT INTO orch_index (kind, part, key, status, data, updated_at) VALUES ('instance', '', 'ti-old', 3, '{data}', {now})");

        await MigrateAgainAsync(database, 5);
        var first = Assert.Single(await database.Indexes.QueryAsync(new Indexes.IndexQuery("instancetime", [""])));
        await MigrateAgainAsync(database, 5);
        var second = Assert.Single(await database.Indexes.QueryAsync(new Indexes.IndexQuery("instancetime", [""])));

        var seconds = 99_999_999_999 - DateTimeOffset.Parse(created, System.Globalization.CultureInfo.InvariantCulture).ToUnixTimeSeconds();
        Assert.Equal($"{seconds:D11}/ti-old", first.Key);
        Assert.Equal("98203493619/ti-old", first.Key);
        Assert.Equal((3, data), (first.Status, first.Data));
        Assert.Equal(first, second);
    }
}

public sealed class PostgresInstancesByTimeMigrationTests : InstancesByTimeMigrationTests
{
    protected override OrchestratorDatabaseOptions NewStore() => TestStores.Postgres("instime");
}

public sealed class SqliteInstancesByTimeMigrationTests : InstancesByTimeMigrationTests
{
    protected override OrchestratorDatabaseOptions NewStore() => TestStores.Sqlite();
}
