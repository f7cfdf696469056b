using Microsoft.Extensions.DependencyInjection;
using Orchestrator.Runtime.Durable;
using Orchestrator.Runtime.Indexes;
using Orchestrator.Runtime.Persistence;
using Orchestrator.Runtime.Persistence.GrainState;
using Orchestrator.Runtime.Tests.Durable.Grains;
using Orchestrator.Runtime.Tests.Durable.Infrastructure;
using Orchestrator.Runtime.Tests.Infrastructure;
using Orchestrator.Runtime.Tests.Persistence;
using Orleans;
using Orleans.Runtime;

namespace Orchestrator.Runtime.Tests.Durable;

/// <summary>
/// Two silos whose durable grains keep their state in PostgreSQL (<see cref="OrchestratorGrainStorage"/>, a schema of
/// this test's own). When the database fails a grain's state write or its state read on one silo, a caller on the
/// other silo (or a client) learns what PostgreSQL said — not <c>CodecNotFoundException</c>, which is what Npgsql's
/// own exception became on its way across.
/// </summary>
public sealed class StorageFailureClusterTests : IAsyncLifetime
{
    private const string StorageName = "pg";
    private StoreUnderTest _db = null!;
    private DurableTestCluster _cluster = null!;

    public async Task InitializeAsync()
    {
        _db = await StoreUnderTest.CreateAsync(OrchestratorDatabaseOptions.Postgres);
        _cluster = await DurableTestCluster.StartAsync(new DurableClusterOptions
        {
            Silos = 2,
            Durable = durable => durable.StorageName = StorageName,
            Silo = silo =>
            {
                silo.AddOrchestratorDatabase(o => (o.Store, o.ConnectionString) = (OrchestratorDatabaseOptions.Postgres, _db.ConnectionString))
                    .AddOrchestratorGrainStorage(StorageName);
                silo.Services.AddSingleton<IIndexReader>(sp => sp.GetRequiredService<OrchestratorDatabase>().Indexes);
            },
        });
    }

    public async Task DisposeAsync()
    {
        await _cluster.DisposeAsync();
        await _db.DisposeAsync();
    }

    [Fact]
    public async Task Command_StateWriteFailsInPostgres_CallerOnTheOtherSiloGetsDurableWriteExceptionWithThePostgresError()
    {
        var ledger = _cluster.Grain<ILedgerGrain>("broken-write");
        await ledger.Add(1);
        var home = await ledger.Where();
        var other = OtherSilo(home); // the activation stays on its silo: the call crosses
        await _db.ScalarAsync("ALTER TABLE orch_grain RENAME TO orch_grain_gone");

        var failed = await Assert.ThrowsAsync<DurableWriteException>(() => other.GetGrain<ILedgerGrain>("broken-write").Add(2));

        var cause = Assert.IsType<GrainStorageException>(failed.InnerException);
        AssertUndefinedTable(cause, "write", "test-ledger/broken-write (state)");
        // Nothing of the failed write was applied: with the table back, the next activation reads the first write.
        await _db.ScalarAsync("ALTER TABLE orch_grain_gone RENAME TO orch_grain");
        var total = await Eventually.Until(async () =>
        {
            try
            {
                return (await ledger.Get()).Total;
            }
            catch (DurableWriteException)
            {
                return -1; // the broken activation refuses calls until it has deactivated
            }
        }, t => t >= 0, TimeSpan.FromSeconds(30), "the grain reactivated");
        Assert.Equal(1, total);
    }

    [Fact]
    public async Task Activation_StateReadFailsInPostgres_CallersOnEitherSiloAndTheClientGetTheGrainStorageException()
    {
        await _db.ScalarAsync("ALTER TABLE orch_grain RENAME TO orch_grain_gone");
        var callers = _cluster.Cluster.Silos.Select(s => s.ServiceProvider.GetRequiredService<IGrainFactory>()).Append(_cluster.Client).ToList();

        foreach (var caller in callers)
        {
            // Each call activates the grain again, on either silo: whichever it is, one of the callers is on the other.
            var cause = await Assert.ThrowsAsync<GrainStorageException>(() => caller.GetGrain<ILedgerGrain>("broken-read").Get());
            AssertUndefinedTable(cause, "read", "test-ledger/broken-read (state)");
        }
    }

    [Fact]
    public async Task Read_GrainCodesIndexQueryFailsInPostgres_CallerOnTheOtherSiloGetsGrainStorageException()
    {
        var ledger = _cluster.Grain<ILedgerGrain>("broken-index");
        await ledger.Add(1);
        Assert.Equal(1, await ledger.CountIndexRows()); // the grain reads the index rows in PostgreSQL
        var other = OtherSilo(await ledger.Where());
        await _db.ScalarAsync("ALTER TABLE orch_index RENAME TO orch_index_gone");
        try
        {
            var cause = await Assert.ThrowsAsync<GrainStorageException>(() => other.GetGrain<ILedgerGrain>("broken-index").CountIndexRows());

            Assert.Equal(("test-ledger/broken-index", "ILedgerGrain.CountIndexRows"), (cause.Grain, cause.Operation));
            Assert.Equal(("Npgsql.PostgresException", "42P01"), (cause.StoreExceptionType, cause.SqlState));
            Assert.Contains("relation \"orch_index\" does not exist", cause.Message, StringComparison.Ordinal);
        }
        finally
        {
            await _db.ScalarAsync("ALTER TABLE orch_index_gone RENAME TO orch_index"); // the sweeper reads it too
        }
    }

    private IGrainFactory OtherSilo(SiloAddress home) =>
        _cluster.Cluster.Silos.Single(s => !s.SiloAddress.Equals(home)).ServiceProvider.GetRequiredService<IGrainFactory>();

    private static void AssertUndefinedTable(GrainStorageException cause, string operation, string grain)
    {
        Assert.Equal((operation, grain), (cause.Operation, cause.Grain));
        Assert.Equal(("Npgsql.PostgresException", "42P01", false), (cause.StoreExceptionType, cause.SqlState, cause.IsTransient));
        Assert.Contains("relation \"orch_grain\" does not exist", cause.StoreMessage, StringComparison.Ordinal);
        Assert.Contains(cause.StoreMessage, cause.Message, StringComparison.Ordinal);
    }
}
