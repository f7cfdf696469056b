using Orchestrator.Runtime.Persistence;
using Orchestrator.Runtime.Persistence.DeadLetters;

namespace Orchestrator.Runtime.Tests.Persistence;

/// <summary>Parked outbox messages, run unchanged on PostgreSQL and SQLite.</summary>
public abstract class DeadLetterConformanceTests : IAsyncLifetime
{
    private static readonly DateTimeOffset T0 = new(2026, 12, 1, 10, 0, 0, TimeSpan.Zero);

    protected abstract string Store { get; }

    private StoreUnderTest _db = null!;

    private IDeadLetterStore DeadLetters => _db.Database.DeadLetters;

    public async Task InitializeAsync() => _db = await StoreUnderTest.CreateAsync(Store);

    public async Task DisposeAsync() => await _db.DisposeAsync();

    private static ParkedMessage Message(string targetKey, string dedupe, string error = "boom", int attempts = 5) =>
        new(0, "instance", "i1", "step", targetKey, "Orchestrator.Grains.IStepGrain", "Start", """[{"attempt":1}]""", dedupe, error, attempts, T0, T0.AddMinutes(3));

    [Fact]
    public async Task ParkAsync_ThenGet_ReturnsEveryField()
    {
        var id = await DeadLetters.ParkAsync(Message("i1:0", "i1:0:start:1", error: "bad\0error \uD800"));

        var parked = await DeadLetters.GetAsync(id);

        Assert.Equal(Message("i1:0", "i1:0:start:1", error: "bad\u2400error \uFFFD") with { Id = id }, parked);
        Assert.Null(await DeadLetters.GetAsync(id + 1000));
    }

    [Fact]
    public async Task ParkAsync_SameMessageAgain_KeepsOneRowWithTheLatestError()
    {
        var id = await DeadLetters.ParkAsync(Message("i1:0", "d1", error: "first", attempts: 5));

        var again = await DeadLetters.ParkAsync(Message("i1:0", "d1", error: "second", attempts: 7));

        Assert.Equal(id, again);
        var parked = Assert.Single(await DeadLetters.ListAsync(0, 10));
        Assert.Equal(("second", 7), (parked.Error, parked.Attempts));
    }

    [Fact]
    public async Task ListAsync_Pages_OldestFirst()
    {
        var ids = new List<long>();
        for (var i = 0; i < 5; i++)
        {
            ids.Add(await DeadLetters.ParkAsync(Message($"i{i}:0", $"d{i}")));
        }

        var first = await DeadLetters.ListAsync(0, 2);
        var second = await DeadLetters.ListAsync(first[^1].Id, 2);
        var third = await DeadLetters.ListAsync(second[^1].Id, 2);

        Assert.Equal(ids, first.Concat(second).Concat(third).Select(m => m.Id));
        Assert.Single(third);
    }

    [Fact]
    public async Task ListByTargetKeyPrefixAsync_ReturnsOnlyKeysWithThePrefixInOrdinalRange()
    {
        var mine = await DeadLetters.ParkAsync(Message("i1", "a"));
        var myStep = await DeadLetters.ParkAsync(Message("i1:0", "b"));
        var other = await DeadLetters.ParkAsync(Message("i10:0", "c"));
        await DeadLetters.ParkAsync(Message("i2:0", "d"));
        var myTarget = await DeadLetters.ParkAsync(Message("i1:0:web-01", "e"));

        Assert.Equal([mine, myStep, other, myTarget], (await DeadLetters.ListByTargetKeyPrefixAsync("i1", 0, 10)).Select(m => m.Id));
        Assert.Equal([myStep, myTarget], (await DeadLetters.ListByTargetKeyPrefixAsync("i1:", 0, 10)).Select(m => m.Id));
        Assert.Equal([myTarget], (await DeadLetters.ListByTargetKeyPrefixAsync("i1:", myStep, 10)).Select(m => m.Id));
        Assert.Equal([myStep], (await DeadLetters.ListByTargetKeyPrefixAsync("i1:", 0, 1)).Select(m => m.Id));
    }

    [Fact]
    public async Task DeleteAsync_RemovesOnce()
    {
        var id = await DeadLetters.ParkAsync(Message("i1:0", "d"));

        Assert.True(await DeadLetters.DeleteAsync(id));
        Assert.False(await DeadLetters.DeleteAsync(id));
        Assert.Null(await DeadLetters.GetAsync(id));
        // Parked again after a replay failed again: a new row.
        Assert.NotEqual(id, await DeadLetters.ParkAsync(Message("i1:0", "d")));
    }

    [Fact]
    public async Task ParkAsync_WithoutDedupeKey_IsRefused() =>
        await Assert.ThrowsAsync<ArgumentException>(() => DeadLetters.ParkAsync(Message("i1:0", "")));
}

public sealed class PostgresDeadLetterConformanceTests : DeadLetterConformanceTests
{
    protected override string Store => OrchestratorDatabaseOptions.Postgres;
}

public sealed class SqliteDeadLetterConformanceTests : DeadLetterConformanceTests
{
    protected override string Store => OrchestratorDatabaseOptions.Sqlite;
}
