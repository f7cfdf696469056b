using Orchestrator.GrainInterfaces;

namespace Orchestrator.Grains.Tests.Cluster;

/// <summary>A plan keeps when and by whom each version was saved (the console's version list), on the manual clock.</summary>
public sealed class PlanVersionsTests : GrainClusterTests
{
    private static string Yaml(string echo) => $"""
        name: versioned {echo}
        steps:
          - name: say
            targets:
              hosts: [web-1]
            script: echo {echo}
        """;

    [Fact]
    public async Task GetVersionsAsync_TwoSavesByTwoCallers_NewestFirstWithWhenAndByWhom()
    {
        var plan = Cluster.Client.GetGrain<IPlanGrain>("versioned");
        Assert.Null(await plan.GetVersionsAsync());

        var first = Cluster.Clock.GetUtcNow();
        await plan.Save(new SavePlan(Cluster.NewRequestId(), GrainCluster.Plan(Yaml("one")), null, "alice"));
        Cluster.Clock.Advance(TimeSpan.FromMinutes(5));
        await plan.Save(new SavePlan(Cluster.NewRequestId(), GrainCluster.Plan(Yaml("two")), 1, "bob"));
        // A refused save (a stale version) records nothing.
        await plan.Save(new SavePlan(Cluster.NewRequestId(), GrainCluster.Plan(Yaml("three")), 1, "carol"));

        var versions = await plan.GetVersionsAsync();
        Assert.Equal(
            [new PlanVersionInfo(2, "versioned two", first + TimeSpan.FromMinutes(5), "bob"), new PlanVersionInfo(1, "versioned one", first, "alice")],
            versions);
    }
}
