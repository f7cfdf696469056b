using Orchestrator.Engine.Tests.Infrastructure;
using Orchestrator.Engine.Tests.Security;

namespace Orchestrator.Engine.Tests.Clusters;

/// <summary>
/// Until the per-cluster target that runs Jobs lands (issue #14), a container step is stored and validated, and running
/// it fails the step with a reason that says so — not as a host step that found no hosts.
/// </summary>
[Collection(SecurityCollection.Name)]
public sealed class ContainerStepRunTests(SecurityFixture fixture)
{
    [Fact]
    public async Task Run_PlanWithAContainerStep_FailsTheStepSayingContainerStepsCannotRunYet()
    {
        var h = fixture.Harness;
        var plan = await h.PutPlanAsync("""
            name: container-not-yet
            steps:
              - name: dump
                targets: {clusters: [eu-1]}
                container:
                  image: busybox:1.36
                  command: [sh, -c, "echo hi"]
            """);

        var id = await h.RunAsync(plan);
        var instance = await h.WaitForInstanceAsync(id, TimeSpan.FromSeconds(60), "succeeded", "failed");

        Assert.Equal("failed", EngineHarness.StatusOf(instance));
        var reason = instance["steps"]![0]!["reason"]!.GetValue<string>();
        Assert.Contains("cannot run them yet", reason, StringComparison.Ordinal);
        Assert.DoesNotContain("No hosts matched", reason, StringComparison.Ordinal);
    }
}
