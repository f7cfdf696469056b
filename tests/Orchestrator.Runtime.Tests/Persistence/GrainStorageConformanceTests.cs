using System.Text.Json;
using Microsoft.Extensions.Logging.Abstractions;
using Orleans;
using Orleans.Runtime;
using Orleans.Storage;
using Orchestrator.Runtime.Indexes;
using Orchestrator.Runtime.Persistence;
using Orchestrator.Runtime.Persistence.GrainState;

namespace Orchestrator.Runtime.Tests.Persistence;

/// <summary>
/// <see cref="OrchestratorGrainStorage"/>, called through Orleans' <see cref="IGrainStorage"/> with real grain ids,
/// run unchanged on PostgreSQL and SQLite: round trip, ETag conflicts, index rows atomic with state, group commit.
/// </summary>
public abstract partial class GrainStorageConformanceTests : IAsyncLifetime
{
    private const string StateName = "state";

    protected abstract string Store { get; }

    protected StoreUnderTest Db { get; private set; } = null!;

    protected IGrainStorage Storage { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Db = await StoreUnderTest.CreateAsync(Store);
        Storage = new OrchestratorGrainStorage("test", Db.Database, null, NullLogger<OrchestratorGrainStorage>.Instance);
    }

    public async Task DisposeAsync() => await Db.DisposeAsync();

    protected static GrainId Step(string key) => GrainId.Create("step", key);

    protected async Task<TestGrainState<IndexedTestState>> ReadAsync(GrainId grain)
    {
        var state = new TestGrainState<IndexedTestState>(new IndexedTestState { Name = "stale in-memory" });
        await Storage.ReadStateAsync(StateName, grain, state);
        return state;
    }

    protected Task<IReadOnlyList<IndexRow>> RowsAsync(string partition, params string[] keys) => Db.Database.Indexes.GetAsync("target", partition, keys);

    [Fact]
    public async Task WriteStateAsync_NewGrain_ReadsBackWithVersionEtagAndJsonReadableInSql()
    {
        var grain = Step("i1:0");
        var state = new TestGrainState<IndexedTestState>(new IndexedTestState
        {
            Name = "deploy", Count = 3, Phase = TestPhase.Running, Notes = ["a", "b"], Labels = { ["zone"] = "eu" },
        });

        await Storage.WriteStateAsync(StateName, grain, state);

        Assert.Equal("1", state.ETag);
        Assert.True(state.RecordExists);
        var read = await ReadAsync(grain);
        Assert.Equal(("1", true), (read.ETag, read.RecordExists));
        Assert.Equal(("deploy", 3, TestPhase.Running, null), (read.State.Name, read.State.Count, read.State.Phase, read.State.Optional));
        Assert.Equal(["a", "b"], read.State.Notes);
        Assert.Equal("eu", read.State.Labels["zone"]);

        // Support engineers read the state as it is, in SQL: camelCase JSON, enums by name, no pending index writes.
        var json = (string)(await Db.ScalarAsync("SELECT state FROM orch_grain WHERE grain_type = 'step' AND grain_key = 'i1:0' AND state_name = 'state'"))!;
        using var document = JsonDocument.Parse(json);
        Assert.Equal("running", document.RootElement.GetProperty("phase").GetString());
        Assert.Equal(3, document.RootElement.GetProperty("count").GetInt32());
        Assert.False(document.RootElement.TryGetProperty("pendingIndexWrites", out _));
        Assert.Equal(1L, await Db.ScalarAsync("SELECT version FROM orch_grain WHERE grain_key = 'i1:0'"));

        state.State.Count = 4;
        await Storage.WriteStateAsync(StateName, grain, state);
        Assert.Equal("2", state.ETag);
        Assert.Equal(4, (await ReadAsync(grain)).State.Count);
    }

    [Fact]
    public async Task ReadStateAsync_NoRow_GivesFreshStateWithoutEtag()
    {
        var read = await ReadAsync(Step("never-written"));

        Assert.Null(read.ETag);
        Assert.False(read.RecordExists);
        Assert.Equal("", read.State.Name);
    }

    [Fact]
    public async Task WriteStateAsync_StaleEtag_ThrowsAndAppliesNeitherStateNorIndexRows()
    {
        var grain = Step("i1:0");
        await Storage.WriteStateAsync(StateName, grain, new TestGrainState<IndexedTestState>(new IndexedTestState { Name = "v1" }));
        var first = await ReadAsync(grain);
        var stale = await ReadAsync(grain);
        first.State.Name = "first";
        first.State.Write("target", "i1:0", "h1", 1);
        await Storage.WriteStateAsync(StateName, grain, first);

        stale.State.Name = "stale";
        stale.State.Write("target", "i1:0", "h1", 9).Write("target", "i1:0", "h2", 9);
        var refused = await Assert.ThrowsAsync<InconsistentStateException>(() => Storage.WriteStateAsync(StateName, grain, stale));

        Assert.Equal(("2", "1"), (refused.StoredEtag, refused.CurrentEtag));
        Assert.Equal("1", stale.ETag);
        Assert.Equal(2, stale.State.PendingIndexWrites.Count); // still pending: nothing of the refused write happened
        var stored = await ReadAsync(grain);
        Assert.Equal(("first", "2"), (stored.State.Name, stored.ETag));
        Assert.Equal([new IndexRow("target", "i1:0", "h1", 1, null)], await RowsAsync("i1:0", "h1", "h2"));
    }

    [Fact]
    public async Task WriteStateAsync_InsertOfExistingRow_ThrowsWithStoredEtag()
    {
        var grain = Step("twice");
        await Storage.WriteStateAsync(StateName, grain, new TestGrainState<IndexedTestState>(new IndexedTestState { Name = "first" }));
        var second = new TestGrainState<IndexedTestState>(new IndexedTestState { Name = "second" }.Write("target", "twice", "h", 1));

        var refused = await Assert.ThrowsAsync<InconsistentStateException>(() => Storage.WriteStateAsync(StateName, grain, second));

        Assert.Equal(("1", "none"), (refused.StoredEtag, refused.CurrentEtag));
        Assert.Null(second.ETag);
        Assert.Equal("first", (await ReadAsync(grain)).State.Name);
        Assert.Empty(await RowsAsync("twice", "h"));
    }

    [Fact]
    public async Task WriteStateAsync_EtagNotOfThisStorage_ThrowsWithoutWriting()
    {
        var state = new TestGrainState<IndexedTestState>(new IndexedTestState()) { ETag = "W/\"abc\"" };

        await Assert.ThrowsAsync<InconsistentStateException>(() => Storage.WriteStateAsync(StateName, Step("foreign"), state));

        Assert.False((await ReadAsync(Step("foreign"))).RecordExists);
    }

    [Fact]
    public async Task WriteStateAsync_StateNames_AreSeparateRows()
    {
        var grain = Step("two-states");
        await Storage.WriteStateAsync("a", grain, new TestGrainState<IndexedTestState>(new IndexedTestState { Name = "A" }));
        await Storage.WriteStateAsync("b", grain, new TestGrainState<IndexedTestState>(new IndexedTestState { Name = "B" }));

        var a = new TestGrainState<IndexedTestState>(new IndexedTestState());
        await Storage.ReadStateAsync("a", grain, a);
        Assert.Equal(("A", "1"), (a.State.Name, a.ETag));
    }

    [Fact]
    public async Task WriteStateAsync_IndexWrites_CommitWithStateLastWriteOfAKeyWinning()
    {
        var grain = Step("i2:0");
        var state = new TestGrainState<IndexedTestState>(new IndexedTestState()
            .Write("target", "i2:0", "h1", 1, """{"n":1}""").Write("target", "i2:0", "h2", 1).Write("target", "i2:0", "gone", 1));
        await Storage.WriteStateAsync(StateName, grain, state);
        Assert.Empty(state.State.PendingIndexWrites);

        state.State.Write("target", "i2:0", "h1", 2, """{"n":2}""").Delete("target", "i2:0", "gone").Write("target", "i2:0", "h1", 3).Delete("target", "i2:0", "h2").Write("target", "i2:0", "h2", 4);
        await Storage.WriteStateAsync(StateName, grain, state);

        Assert.Empty(state.State.PendingIndexWrites);
        Assert.Equal([new IndexRow("target", "i2:0", "h1", 3, null), new IndexRow("target", "i2:0", "h2", 4, null)], await RowsAsync("i2:0", "h1", "h2", "gone"));
    }

    [Fact]
    public async Task WriteStateAsync_ChangesMadeWhileInFlight_StayForTheNextWrite()
    {
        var grain = Step("in-flight");
        var state = new TestGrainState<IndexedTestState>(new IndexedTestState { Count = 1 }.Write("target", "p", "before", 1));

        var write = Storage.WriteStateAsync(StateName, grain, state);
        // The write took its snapshot when it was called: what the grain does now belongs to its next write.
        state.State.Count = 2;
        state.State.Write("target", "p", "during", 1);
        await write;

        Assert.Equal([IndexWrite.Upsert(new IndexRow("target", "p", "during", 1, null))], state.State.PendingIndexWrites);
        Assert.Equal([new IndexRow("target", "p", "before", 1, null)], await RowsAsync("p", "before", "during"));
        Assert.Equal(1, (await ReadAsync(grain)).State.Count);

        await Storage.WriteStateAsync(StateName, grain, state);
        Assert.Empty(state.State.PendingIndexWrites);
        Assert.Equal(2, (await RowsAsync("p", "before", "during")).Count);
    }

    [Fact]
    public async Task ClearStateAsync_WithEtag_DeletesRowAndAppliesIndexWritesInOneTransaction()
    {
        var grain = Step("cleared");
        var state = new TestGrainState<IndexedTestState>(new IndexedTestState { Name = "x" }.Write("target", "c", "h1", 1));
        await Storage.WriteStateAsync(StateName, grain, state);
        var stale = await ReadAsync(grain);

        state.State.Delete("target", "c", "h1");
        await Storage.ClearStateAsync(StateName, grain, state);

        Assert.Equal((null, false), (state.ETag, state.RecordExists));
        Assert.Empty(state.State.PendingIndexWrites);
        Assert.Empty(await RowsAsync("c", "h1"));
        Assert.False((await ReadAsync(grain)).RecordExists);
        Assert.Equal(0L, Convert.ToInt64(await Db.ScalarAsync("SELECT count(*) FROM orch_grain WHERE grain_key = 'cleared'"), System.Globalization.CultureInfo.InvariantCulture));

        // The stale reader can neither clear nor write what is gone; a fresh insert starts again at version 1.
        stale.State.Write("target", "c", "stale", 1);
        var refused = await Assert.ThrowsAsync<InconsistentStateException>(() => Storage.ClearStateAsync(StateName, grain, stale));
        Assert.Equal(("none", "1"), (refused.StoredEtag, refused.CurrentEtag));
        await Assert.ThrowsAsync<InconsistentStateException>(() => Storage.WriteStateAsync(StateName, grain, stale));
        Assert.Empty(await RowsAsync("c", "stale"));
        await Storage.WriteStateAsync(StateName, grain, state);
        Assert.Equal("1", state.ETag);
    }

    [Fact]
    public async Task ClearStateAsync_NullEtagOverAnExistingRow_Throws()
    {
        var grain = Step("clear-conflict");
        await Storage.WriteStateAsync(StateName, grain, new TestGrainState<IndexedTestState>(new IndexedTestState { Name = "kept" }));

        var refused = await Assert.ThrowsAsync<InconsistentStateException>(() =>
            Storage.ClearStateAsync(StateName, grain, new TestGrainState<IndexedTestState>(new IndexedTestState())));

        Assert.Equal("1", refused.StoredEtag);
        Assert.Equal("kept", (await ReadAsync(grain)).State.Name);
        await Storage.ClearStateAsync(StateName, Step("never-written"), new TestGrainState<IndexedTestState>(new IndexedTestState())); // nothing to clear: fine
    }

    [Fact]
    public async Task WriteStateAsync_OddStrings_RoundTripExactly()
    {
        string[] odd =
        [
            "nul\0inside", "\0", "lone high \uD800 end", "lone low \uDC00", "reversed \uDC00\uD800", "ends high \uD83D", "\uDFFF",
            "emoji 😀 and 𝄞", "quote \" backslash \\ slash /", "\u0001\u001f\u007f control", "line\u2028sep\u2029", "tab\t\r\n", "é ü 中文",
            "\\u0000 literally", "",
        ];
        var grain = Step("odd");
        var state = new TestGrainState<IndexedTestState>(new IndexedTestState
        {
            Name = string.Concat(odd), Notes = [.. odd], Labels = odd.Select((s, i) => (s, i)).ToDictionary(x => "k" + x.i, x => x.s),
        });

        await Storage.WriteStateAsync(StateName, grain, state);
        var read = await ReadAsync(grain);

        Assert.Equal(string.Concat(odd), read.State.Name);
        Assert.Equal(odd, read.State.Notes);
        for (var i = 0; i < odd.Length; i++)
        {
            Assert.Equal(odd[i], read.State.Labels["k" + i]);
        }
        Assert.NotNull(await Db.ScalarAsync("SELECT state FROM orch_grain WHERE grain_key = 'odd'"));
    }
}

public sealed class PostgresGrainStorageConformanceTests : GrainStorageConformanceTests
{
    protected override string Store => OrchestratorDatabaseOptions.Postgres;
}

public sealed class SqliteGrainStorageConformanceTests : GrainStorageConformanceTests
{
    protected override string Store => OrchestratorDatabaseOptions.Sqlite;
}
