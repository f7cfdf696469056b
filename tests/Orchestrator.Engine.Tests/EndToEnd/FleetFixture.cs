using Orchestrator.Engine.Tests.Infrastructure;
using Orchestrator.Runtime.Tests.Infrastructure;

namespace Orchestrator.Engine.Tests.EndToEnd;

/// <summary>
/// One cluster (PostgreSQL, one silo, a clock the tests move) with the API and three real agent processes:
/// web-1 (role=web, zone=a), web-2 (role=web, zone=b) and db-1 (role=db, zone=a).
/// </summary>
public sealed class FleetFixture : IAsyncLifetime
{
    public EngineHarness Harness { get; private set; } = null!;

    /// <summary>Starts at the real time (so stored times read sensibly) and then moves only when a test moves it.</summary>
    public ManualTimeProvider Clock { get; } = new(TimeProvider.System.GetUtcNow());

    /// <summary>A folder the scripts may write to, unique to this fixture.</summary>
    public string Scratch { get; } = Path.Combine(Path.GetTempPath(), "orch-e2e", Guid.NewGuid().ToString("N")[..8]);

    public async Task InitializeAsync()
    {
        Directory.CreateDirectory(Scratch);
        Harness = await EngineHarness.StartAsync(EngineStores.Postgres("e2e"), silos: 1, Clock);
        Harness.StartAgent("web-1", new Dictionary<string, string> { ["role"] = "web", ["zone"] = "a" });
        Harness.StartAgent("web-2", new Dictionary<string, string> { ["role"] = "web", ["zone"] = "b" });
        Harness.StartAgent("db-1", new Dictionary<string, string> { ["role"] = "db", ["zone"] = "a" });
        await Harness.WaitForHostsAsync("web-1", "web-2", "db-1");
    }

    public async Task DisposeAsync()
    {
        await Harness.DisposeAsync();
        try
        {
            Directory.Delete(Scratch, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}

[CollectionDefinition(Name)]
public sealed class FleetCollection : ICollectionFixture<FleetFixture>
{
    public const string Name = "fleet";
}
