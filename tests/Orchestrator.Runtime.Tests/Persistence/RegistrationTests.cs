using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Orleans;
using Orleans.Providers;
using Orleans.Runtime;
using Orleans.Storage;
using Orchestrator.Runtime.Persistence;
using Orchestrator.Runtime.Persistence.GrainState;
using Orchestrator.Runtime.Tests.Infrastructure;

namespace Orchestrator.Runtime.Tests.Persistence;

/// <summary>What a silo resolves: the default grain storage on the registered database, migrated as the silo starts.</summary>
public sealed class RegistrationTests
{
    [Fact]
    public async Task AddOrchestratorGrainStorage_DefaultName_ResolvesOurStorageOnTheMigratedDatabase()
    {
        var services = new ServiceCollection().AddLogging();
        services.AddOrchestratorDatabase(o => (o.Store, o.ConnectionString) = ("sqlite", TestStores.Sqlite().ConnectionString));
        services.AddOrchestratorGrainStorage();
        await using var provider = services.BuildServiceProvider();

        var storage = provider.GetRequiredKeyedService<IGrainStorage>(ProviderConstants.DEFAULT_STORAGE_PROVIDER_NAME);
        var lifecycle = new RecordingLifecycle();
        foreach (var participant in provider.GetServices<ILifecycleParticipant<ISiloLifecycle>>())
        {
            participant.Participate(lifecycle);
        }
        await lifecycle.StartAsync();

        Assert.IsType<OrchestratorGrainStorage>(storage);
        Assert.Contains(ServiceLifecycleStage.RuntimeInitialize, lifecycle.Stages);
        var state = new TestGrainState<IndexedTestState>(new IndexedTestState { Name = "x" });
        await storage.WriteStateAsync("state", GrainId.Create("step", "i1:0"), state);
        Assert.Equal("1", state.ETag);
    }

    [Fact]
    public void AddOrchestratorDatabase_InvalidOptions_FailsNamingTheOption()
    {
        var services = new ServiceCollection().AddLogging();
        services.AddOrchestratorDatabase(o => o.Store = "oracle");
        using var provider = services.BuildServiceProvider();

        var refused = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IOptions<OrchestratorDatabaseOptions>>().Value);

        Assert.Contains("Store: 'oracle'", refused.Message, StringComparison.Ordinal);
    }

    private sealed class RecordingLifecycle : ISiloLifecycle
    {
        private readonly List<(int Stage, ILifecycleObserver Observer)> _observers = [];

        public int HighestCompletedStage { get; private set; }

        public int LowestStoppedStage { get; private set; }

        public IEnumerable<int> Stages => _observers.Select(o => o.Stage);

        public IDisposable Subscribe(string observerName, int stage, ILifecycleObserver observer)
        {
            _observers.Add((stage, observer));
            return new NoDispose();
        }

        public async Task StartAsync()
        {
            foreach (var (stage, observer) in _observers.OrderBy(o => o.Stage))
            {
                await observer.OnStart(CancellationToken.None);
                HighestCompletedStage = stage;
            }
        }

        private sealed class NoDispose : IDisposable
        {
            public void Dispose()
            {
            }
        }
    }
}
