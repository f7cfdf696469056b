using System.Text.Json.Nodes;
using Orchestrator.Engine.Tests.Infrastructure;
using Orchestrator.GrainInterfaces;
using Orchestrator.Plans.Model;
using Orchestrator.Runtime.Tests.Infrastructure;

namespace Orchestrator.Engine.Tests.StuckRuns;

/// <summary>
/// One cluster (PostgreSQL, one silo, a clock the tests move) with the API and one agent, stuck-1. A message that
/// throws is tried twice, ten minutes apart on the test's clock, then parked: a test sees a first failure at once and
/// decides when the second (and the parking) happens by moving the clock.
/// </summary>
public sealed class StuckRunFixture : IAsyncLifetime
{
    /// <summary>The pause between the two attempts at a failing message.</summary>
    public static readonly TimeSpan RetryBackoff = TimeSpan.FromMinutes(10);

    public EngineHarness Harness { get; private set; } = null!;

    public ManualTimeProvider Clock { get; } = new(TimeProvider.System.GetUtcNow());

    public async Task InitializeAsync()
    {
        Harness = await EngineHarness.StartAsync(EngineStores.Postgres("stuck"), silos: 1, Clock, durable: options =>
        {
            options.MaxDeliveryAttempts = 2;
            options.RetryBackoffBase = RetryBackoff;
            options.RetryBackoffMax = RetryBackoff;
        });
        Harness.StartAgent("stuck-1");
        await Harness.WaitForHostsAsync("stuck-1");
    }

    public Task DisposeAsync() => Harness.DisposeAsync().AsTask();

    /// <summary>
    /// Stores a plan as a version older than validation would have let through: first a valid plan through the API (so
    /// that the plan exists), then the given definition straight through the grain client, as the latest version.
    /// </summary>
    public async Task<string> PutUnvalidatedPlanAsync(PlanDefinition definition)
    {
        var id = await Harness.PutPlanAsync("""
            name: placeholder
            steps:
              - name: s
                script: "true"
                targets: {hosts: [stuck-1]}
            """);
        var grain = Harness.Client.GetGrain<IPlanGrain>(id);
        var requestId = Guid.NewGuid().ToString("N");
        await grain.Save(new SavePlan(requestId, definition, 1, "tester"));
        var result = await Eventually.Until(() => grain.GetRequestResultAsync(requestId).AsTask(), r => r is not null, TimeSpan.FromSeconds(30), $"plan {id} saved");
        Assert.True(result!.Ok, result.Error);
        return id;
    }

    /// <summary>
    /// Moves the clock on by the retry back-off, once per second of real time, until the run is one of
    /// <paramref name="statuses"/>: a message's first failure happens when it happens, and only a move after it
    /// brings the next attempt.
    /// </summary>
    public Task<JsonNode> RetryUntilAsync(string id, TimeSpan timeout, params string[] statuses)
    {
        var moved = TimeProvider.System.GetTimestamp();
        return Eventually.Until(async () =>
        {
            if (TimeProvider.System.GetElapsedTime(moved) >= TimeSpan.FromSeconds(1))
            {
                Clock.Advance(RetryBackoff);
                moved = TimeProvider.System.GetTimestamp();
            }
            return await Harness.GetInstanceAsync(id);
        }, i => statuses.Contains(EngineHarness.StatusOf(i)), timeout, $"instance {id} {string.Join("|", statuses)}");
    }

    public static StepDefinition Script(string name, string source = "echo \"ran on $ORCH_HOST\"") => new()
    {
        Name = name,
        Kind = StepKind.Script,
        Script = new ScriptSpec { Source = source },
        Targets = new TargetSpec { Hosts = ["stuck-1"] },
    };
}

[CollectionDefinition(Name)]
public sealed class StuckRunCollection : ICollectionFixture<StuckRunFixture>
{
    public const string Name = "stuck runs";
}
