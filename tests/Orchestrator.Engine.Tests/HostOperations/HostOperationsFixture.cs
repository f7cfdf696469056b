using Orchestrator.Engine.Tests.Infrastructure;

namespace Orchestrator.Engine.Tests.HostOperations;

/// <summary>The real API on a one-silo SQLite cluster; each test starts its own agents (real processes) for its own hosts.</summary>
public sealed class HostOperationsFixture : IAsyncLifetime
{
    public EngineHarness Harness { get; private set; } = null!;

    public async Task InitializeAsync() => Harness = await EngineHarness.StartAsync(EngineStores.Sqlite());

    public async Task DisposeAsync() => await Harness.DisposeAsync();
}
