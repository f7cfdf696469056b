using System.Text.Json;
using Orchestrator.Runtime.Persistence;
using Orchestrator.Runtime.Persistence.GrainState;
using Orchestrator.Runtime.Persistence.Migrations;

namespace Orchestrator.Runtime.Tests.Persistence;

/// <summary>The state JSON, the string converter, migration sources and options: no database.</summary>
public sealed class GrainStateJsonTests
{
    [Fact]
    public void Serialize_IndexedState_WritesCamelCaseAndEnumNamesWithoutPendingIndexWrites()
    {
        var json = JsonSerializer.Serialize(new IndexedTestState { Name = "café <b>", Phase = TestPhase.Succeeded }.Write("k", "p", "x", 1), GrainStateJson.Options);

        Assert.Equal("""{"name":"café <b>","count":0,"phase":"succeeded","optional":null,"notes":[],"labels":{}}""", json);
    }

    [Fact]
    public void Deserialize_StateAsTheOldRuntimeWroteIt_ReadsEnumNumbers()
    {
        // Web defaults, enums as numbers: what today's grains hold in orch_grain_state.
        var old = JsonSerializer.Serialize(new IndexedTestState { Name = "n", Phase = TestPhase.Running }, new JsonSerializerOptions(JsonSerializerDefaults.Web));

        var read = JsonSerializer.Deserialize<IndexedTestState>(old, GrainStateJson.Options)!;

        Assert.Equal(("n", TestPhase.Running), (read.Name, read.Phase));
    }

    [Theory]
    [InlineData("plain")]
    [InlineData("\uD800")]
    [InlineData("a\uDC00b\uD83D")]
    [InlineData("😀\0\"\\\u001f")]
    public void ExactStringConverter_AnyString_RoundTrips(string value)
    {
        var json = JsonSerializer.Serialize(value, GrainStateJson.Options);

        Assert.Equal(value, JsonSerializer.Deserialize<string>(json, GrainStateJson.Options));
    }

    [Fact]
    public void ExactStringConverter_LoneSurrogate_IsWrittenAsAnEscapeNotReplaced() =>
        Assert.Equal("\"x\\uD800y\"", JsonSerializer.Serialize("x\uD800y", GrainStateJson.Options));

    [Fact]
    public void Ordered_TwoSourcesClaimingOneVersion_Throws()
    {
        var a = new MigrationSource("a", [new SchemaMigration(200, "V200__a", "")]);
        var b = new MigrationSource("b", [new SchemaMigration(200, "V200__b", "")]);

        var refused = Assert.Throws<InvalidOperationException>(() => MigrationSource.Ordered([a, b]));

        Assert.Contains("'a'", refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void StorageMigrations_BothStores_AreOurVersionsInOrder()
    {
        Assert.Equal([2, 3, 4, 5, 100, 300], OrchestratorDatabase.StorageMigrations(OrchestratorDatabaseOptions.Postgres).Migrations.Select(m => m.Version));
        Assert.Equal([2, 4, 5, 100, 300], OrchestratorDatabase.StorageMigrations(OrchestratorDatabaseOptions.Sqlite).Migrations.Select(m => m.Version));
    }

    [Fact]
    public void Validate_BadOptions_NamesEachOption()
    {
        var errors = new OrchestratorDatabaseOptions { Store = "mysql", ConnectionString = " ", CommitBatchSize = 0, CommitConcurrency = -1, MaxBlobBytes = 0, LogMaxBytesPerStream = 0 }.Validate();

        Assert.Equal(["Store", "ConnectionString", "LogMaxBytesPerStream", "MaxBlobBytes", "CommitBatchSize", "CommitConcurrency"], errors.Select(e => e[..e.IndexOf(':', StringComparison.Ordinal)]));
        Assert.Empty(new OrchestratorDatabaseOptions().Validate());
    }
}
