namespace Orchestrator.Runtime.Tests.Persistence;

public abstract partial class GrainStorageConformanceTests
{
    [Fact]
    public async Task ReadStateAsync_ThousandGrainsAtOnce_ShareQueriesAndEachGetsItsOwnState()
    {
        const int grains = 1000;
        var written = Enumerable.Range(0, grains).Select(i => new TestGrainState<IndexedTestState>(new IndexedTestState { Count = i, Name = $"n{i}" })).ToArray();
        // Every other grain has a stored state; the rest read as new.
        await Task.WhenAll(written.Where((_, i) => i % 2 == 0).Select((s, j) => Storage.WriteStateAsync(StateName, Step($"r{2 * j:D4}"), s)));
        var queriesBefore = Db.Database.Reader.Queries;

        var read = Enumerable.Range(0, grains).Select(_ => new TestGrainState<IndexedTestState>(new IndexedTestState { Count = -1 })).ToArray();
        await Task.WhenAll(read.Select((s, i) => Storage.ReadStateAsync(StateName, Step($"r{i:D4}"), s)));

        for (var i = 0; i < grains; i++)
        {
            if (i % 2 == 0)
            {
                Assert.True(read[i].RecordExists, $"grain {i}");
                Assert.Equal("1", read[i].ETag);
                Assert.Equal((i, $"n{i}"), (read[i].State.Count, read[i].State.Name));
            }
            else
            {
                Assert.False(read[i].RecordExists, $"grain {i}");
                Assert.Null(read[i].ETag);
                Assert.Equal(0, read[i].State.Count); // a fresh state, not the caller's
            }
        }
        // Shared: a thousand reads took a handful of queries, not a thousand.
        Assert.InRange(Db.Database.Reader.Queries - queriesBefore, 1, 50);
    }
}
