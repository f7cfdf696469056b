using Orchestrator.Runtime.Persistence;
using Orchestrator.Runtime.Persistence.GrainState;

namespace Orchestrator.Runtime.Tests.Persistence;

public abstract partial class GrainStorageConformanceTests
{
    /// <summary>
    /// Reads, writes and clears that fail in the database (the state table is gone) throw our own exception carrying
    /// what the store said, never the store's (Npgsql's cannot cross silos), and leave the grain's ETag as it was.
    /// </summary>
    [Fact]
    public async Task StateOperations_StoreFails_ThrowGrainStorageExceptionWithTheStoresText()
    {
        var grain = Step("gone");
        var held = new TestGrainState<IndexedTestState>(new IndexedTestState { Name = "v1" });
        await Storage.WriteStateAsync(StateName, grain, held);
        await Db.ScalarAsync("ALTER TABLE orch_grain RENAME TO orch_grain_gone");

        var read = await Assert.ThrowsAsync<GrainStorageException>(() => ReadAsync(grain));
        held.State.Name = "v2";
        var write = await Assert.ThrowsAsync<GrainStorageException>(() => Storage.WriteStateAsync(StateName, grain, held));
        var clear = await Assert.ThrowsAsync<GrainStorageException>(() => Storage.ClearStateAsync(StateName, grain, held));

        Assert.Equal(("read", "write", "clear"), (read.Operation, write.Operation, clear.Operation));
        Assert.Equal("1", held.ETag);
        var (type, sqlState) = Store == OrchestratorDatabaseOptions.Postgres
            ? ("Npgsql.PostgresException", "42P01") // undefined_table
            : ("Microsoft.Data.Sqlite.SqliteException", null);
        foreach (var failure in new[] { read, write, clear })
        {
            Assert.Equal("step/gone (state)", failure.Grain);
            Assert.Equal(type, failure.StoreExceptionType);
            Assert.Equal(sqlState, failure.SqlState);
            Assert.False(failure.IsTransient);
            Assert.Contains("orch_grain", failure.StoreMessage, StringComparison.Ordinal);
            Assert.Contains(failure.StoreMessage, failure.Message, StringComparison.Ordinal);
            Assert.Contains($"the {failure.Operation} of step/gone (state)", failure.Message, StringComparison.Ordinal);
            Assert.Null(failure.InnerException);
            Assert.Equal(type, failure.StoreException?.GetType().FullName);
        }
    }
}
