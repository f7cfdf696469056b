using Microsoft.Extensions.DependencyInjection;
using Orchestrator.Runtime.Hosting;
using Orchestrator.Runtime.Messaging;
using Orchestrator.Runtime.Testing;
using Orchestrator.Runtime.Tests.TestGrains;

namespace Orchestrator.Runtime.Tests.Infrastructure;

/// <summary>Starts test clusters on one store kind; each test gets its own schema (PostgreSQL) or file (SQLite).</summary>
public abstract class ClusterTestBase : IAsyncLifetime
{
    private readonly List<TestCluster> _clusters = [];
    private readonly List<RuntimeOptions> _stores = [];

    public static readonly GrainTypeRegistry Registry = new([typeof(CounterGrain), typeof(PingPongGrain), typeof(ReminderGrain), typeof(FlakyGrain), typeof(TimerGrain), typeof(IndexGrain), typeof(ObservedGrain)]);

    protected FailureSwitch Failures { get; } = new();

    protected TurnGate Gate { get; } = new();

    /// <summary>The store of the cluster started last.</summary>
    protected RuntimeOptions CurrentStore => _stores[^1];

    /// <summary>A fresh store location for this test.</summary>
    protected abstract RuntimeOptions NewStore();

    /// <summary>A fresh store location that is cleaned up after the test.</summary>
    protected RuntimeOptions TrackedStore()
    {
        var options = NewStore();
        _stores.Add(options);
        return options;
    }

    protected async Task<TestCluster> StartClusterAsync(int silos = 1, TimeProvider? clock = null, Action<RuntimeOptions>? configure = null)
    {
        var options = TrackedStore();
        options.ShardCount = 16;
        options.LeaseTime = TimeSpan.FromSeconds(3);
        options.InboxPollInterval = TimeSpan.FromMilliseconds(200);
        options.ReminderPollInterval = TimeSpan.FromMilliseconds(50);
        options.RetryBackoffBase = TimeSpan.FromSeconds(1);
        options.MaxMessageAttempts = 3;
        configure?.Invoke(options);
        var services = new ServiceCollection().AddSingleton(Failures).AddSingleton(Gate).BuildServiceProvider();
        var cluster = await TestCluster.StartAsync(new TestClusterOptions
        {
            Runtime = options,
            Registry = Registry,
            InitialSilos = silos,
            Clock = clock ?? TimeProvider.System,
            Services = services,
        });
        _clusters.Add(cluster);
        return cluster;
    }

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        foreach (var cluster in _clusters)
        {
            await cluster.DisposeAsync();
        }
        foreach (var store in _stores)
        {
            await TestStores.DropAsync(store);
        }
    }
}

/// <summary>PostgreSQL: a new schema per test on the shared private server.</summary>
public abstract class PostgresClusterTestBase : ClusterTestBase
{
    protected string ConnectionString { get; private set; } = "";

    protected override RuntimeOptions NewStore()
    {
        var options = TestStores.Postgres("t");
        ConnectionString = options.ConnectionString;
        return options;
    }
}

/// <summary>SQLite: a new database file per test.</summary>
public abstract class SqliteClusterTestBase : ClusterTestBase
{
    protected override RuntimeOptions NewStore()
    {
        return TestStores.Sqlite();
    }
}
