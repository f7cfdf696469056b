using Orleans.Storage;
using Orchestrator.Runtime.Indexes;

namespace Orchestrator.Runtime.Tests.Persistence;

public abstract partial class GrainStorageConformanceTests
{
    [Fact]
    public async Task WriteStateAsync_ThousandGrainsAtOnce_ShareTransactionsAndEachSeesItsOwnOutcome()
    {
        const int grains = 1000;
        const int stale = 500;
        var states = Enumerable.Range(0, grains).Select(_ => new TestGrainState<IndexedTestState>(new IndexedTestState())).ToArray();
        await Task.WhenAll(states.Select((s, i) => Storage.WriteStateAsync(StateName, Step($"g{i:D4}"), s)));
        Assert.All(states, s => Assert.Equal("1", s.ETag));
        var transactionsBefore = Db.Database.Committer.Transactions;

        // All at once, each with an index row; one of them holds an ETag another activation already moved past.
        states[stale].ETag = "7";
        for (var i = 0; i < grains; i++)
        {
            states[i].State.Count = i;
            states[i].State.Write("target", "fan", $"g{i:D4}", 1);
        }
        var writes = states.Select((s, i) => Storage.WriteStateAsync(StateName, Step($"g{i:D4}"), s)).ToArray();
        var outcome = await Task.WhenAll(writes.Select(async w =>
        {
            try
            {
                await w;
                return null;
            }
            catch (Exception ex)
            {
                return ex;
            }
        }));

        var failed = outcome.Select((e, i) => (e, i)).Where(x => x.e is not null).ToList();
        var refused = Assert.Single(failed);
        Assert.Equal(stale, refused.i);
        Assert.Equal(("1", "7"), (((InconsistentStateException)refused.e!).StoredEtag, ((InconsistentStateException)refused.e!).CurrentEtag));
        Assert.All(states.Where((_, i) => i != stale), s => Assert.Equal("2", s.ETag));
        Assert.Single(states[stale].State.PendingIndexWrites);
        var rows = await Db.Database.Indexes.QueryAsync(new IndexQuery("target", ["fan"]) { Limit = 2 * grains });
        Assert.Equal(grains - 1, rows.Count);
        Assert.DoesNotContain(rows, r => r.Key == $"g{stale:D4}");
        Assert.Equal(grains - 1, Convert.ToInt32(await Db.ScalarAsync("SELECT count(*) FROM orch_grain WHERE version = 2"), System.Globalization.CultureInfo.InvariantCulture));
        // Shared: a thousand writes took a handful of transactions, not a thousand.
        var transactions = Db.Database.Committer.Transactions - transactionsBefore;
        Assert.InRange(transactions, 1, 50);
    }

    [Fact]
    public async Task WriteStateAsync_TwoWritesOfOneGrainQueuedTogether_NeverShareABatch()
    {
        var grain = Step("dup");
        var first = new TestGrainState<IndexedTestState>(new IndexedTestState { Name = "a" });
        var second = new TestGrainState<IndexedTestState>(new IndexedTestState { Name = "b" });
        // Two activations of one grain, both believing there is no row, write at the same moment: one wins.
        var writes = new[] { Storage.WriteStateAsync(StateName, grain, first), Storage.WriteStateAsync(StateName, grain, second) };
        var results = await Task.WhenAll(writes.Select(async w =>
        {
            try
            {
                await w;
                return true;
            }
            catch (InconsistentStateException)
            {
                return false;
            }
        }));

        Assert.Equal(1, results.Count(r => r));
        Assert.Equal(results[0] ? "a" : "b", (await ReadAsync(grain)).State.Name);
    }
}
