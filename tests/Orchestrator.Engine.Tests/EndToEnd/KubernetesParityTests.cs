using Orchestrator.Engine.Tests.Infrastructure;
using Orchestrator.Runtime.Tests.Infrastructure;

namespace Orchestrator.Engine.Tests.EndToEnd;

/// <summary>
/// Kubernetes Job field names behave as the settings they map onto (docs/kubernetes-jobs.md): completions as the
/// success policy, backoffLimit as the per-target retry limit, podFailurePolicy as exit-code rules.
/// </summary>
[Collection(FleetCollection.Name)]
public sealed class KubernetesParityTests(FleetFixture fleet)
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(60);
    private EngineHarness H => fleet.Harness;

    [Fact]
    public async Task BackoffLimitAndPodFailurePolicy_FailIndexNotRetried_IgnoreSucceeds_CountRetried()
    {
        var marker = Path.Combine(fleet.Scratch, "k8s-retry-" + Guid.NewGuid().ToString("N")[..6]);
        var plan = await H.PutPlanAsync($$"""
            name: k8s-policy
            steps:
              - name: work
                script: |
                  case "$ORCH_HOST" in
                    web-1) echo "fatal for this host"; exit 3 ;;
                    web-2) echo "benign"; exit 4 ;;
                    db-1) if [ ! -e {{marker}} ]; then touch {{marker}}; echo "transient"; exit 1; fi; echo "recovered" ;;
                  esac
                targets:
                  hosts: [web-1, web-2, db-1]
                execution:
                  backoffLimit: 1
                  retry: {initialBackoff: 5s}
                  failureBudget: 1
                  podFailurePolicy:
                    rules:
                      - action: FailIndex
                        onExitCodes: {operator: In, values: [3]}
                      - action: Ignore
                        onExitCodes: {operator: In, values: [4]}
            """);
        var id = await H.RunAsync(plan);

        await Eventually.Until(() => H.GetTargetAsync(id, 0, "db-1"), t => t["status"]?.GetValue<string>() == "retrying", Wait, "db-1 retrying");
        var web1 = await Eventually.Until(() => H.GetTargetAsync(id, 0, "web-1"), t => t["status"]?.GetValue<string>() == "failed", Wait, "web-1 failed");
        fleet.Clock.Advance(TimeSpan.FromSeconds(5));
        var done = await H.WaitForInstanceAsync(id, Wait, "succeeded", "failed");

        Assert.Equal("succeeded", EngineHarness.StatusOf(done));
        Assert.Equal(1, web1["run"]!.GetValue<int>());
        Assert.Equal(1, (await H.GetTargetAsync(id, 0, "web-1"))["run"]!.GetValue<int>());
        Assert.Equal("succeeded", (await H.GetTargetAsync(id, 0, "web-2"))["status"]!.GetValue<string>());
        var db1 = await H.GetTargetAsync(id, 0, "db-1");
        Assert.Equal(("succeeded", 2), (db1["status"]!.GetValue<string>(), db1["run"]!.GetValue<int>()));
        Assert.Contains("recovered", await H.LogTextAsync(id, 0, "db-1", run: 2));
    }

    [Fact]
    public async Task PodFailurePolicy_FailJobNotIn_FailsTheStepAtOnceWithoutRetries()
    {
        var plan = await H.PutPlanAsync("""
            name: k8s-failjob
            steps:
              - name: work
                script: |
                  [ "$ORCH_HOST" != web-1 ] || exit 2
                  exit 1
                targets:
                  hosts: [web-1]
                execution:
                  backoffLimit: 3
                  podFailurePolicy:
                    rules:
                      - action: FailJob
                        onExitCodes: {operator: NotIn, values: [1]}
            """);
        var id = await H.RunAsync(plan);

        var done = await H.WaitForInstanceAsync(id, Wait, "succeeded", "failed");

        Assert.Equal("failed", EngineHarness.StatusOf(done));
        Assert.Contains("Exit code 2", done["steps"]![0]!["reason"]!.GetValue<string>());
        Assert.Equal(1, (await H.GetTargetAsync(id, 0, "web-1"))["run"]!.GetValue<int>());
    }

    [Fact]
    public async Task Completions_MetBeforeEveryTargetFinished_StepSucceedsAndStopsTheRest()
    {
        var plan = await H.PutPlanAsync("""
            name: k8s-completions
            steps:
              - name: work
                script: |
                  if [ "$ORCH_HOST" = db-1 ]; then sleep 300; fi
                  echo "done on $ORCH_HOST"
                targets:
                  hosts: [web-1, web-2, db-1]
                execution:
                  parallelism: 3
                  completions: 2
                  activeDeadlineSeconds: 600
            """);
        var id = await H.RunAsync(plan);

        var done = await H.WaitForInstanceAsync(id, Wait, "succeeded", "failed");

        Assert.Equal("succeeded", EngineHarness.StatusOf(done));
        Assert.Equal(2, done["steps"]![0]!["targets"]!["succeeded"]!.GetValue<long>());
        Assert.Contains("success policy of 2", done["steps"]![0]!["reason"]!.GetValue<string>());
        await Eventually.Until(() => H.GetTargetAsync(id, 0, "db-1"), t => t["status"]?.GetValue<string>() is "stopped" or "cancelled" or "skipped", Wait, "db-1 stopped");
    }
}
