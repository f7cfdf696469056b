using Orchestrator.GrainInterfaces;
using Orchestrator.Grains.Common;
using Orchestrator.Runtime.Tests.Infrastructure;

namespace Orchestrator.Grains.Tests.Cluster;

/// <summary>
/// Plans run end to end on the real grains (plan → instance → step → targets → assignment rows → agent events → back
/// up), with every timer a durable wake-up on the manual clock.
/// </summary>
public sealed class PlanRunTests : GrainClusterTests
{
    private static string OneStep(string hosts, string execution = "") => $"""
        name: hello
        steps:
          - name: greet
            targets:
              hosts: [{hosts}]
            script: echo hello
        {execution}
        """;

    [Fact]
    public async Task Run_AgentsSucceed_InstanceSucceedsAndIndexRowsFollow()
    {
        await Cluster.RegisterHostAsync("web-1");
        await Cluster.RegisterHostAsync("web-2");

        await Cluster.RunAsync("hello", OneStep("web-1, web-2"), "run-ok");
        foreach (var host in new[] { "web-1", "web-2" })
        {
            var assignment = await Cluster.WaitAssignmentAsync(host, r => r.Status == (int)AssignmentState.Dispatched, $"{host}'s assignment");
            Assert.Equal("run-ok:0:" + host + "#1", assignment.Key);
            await Cluster.RunAssignmentAsync(assignment, exitCode: 0);
        }

        var view = await Cluster.WaitInstanceAsync("run-ok", v => v.Status.IsFinal(), "the run to end");
        Assert.Equal(ExecutionStatus.Succeeded, view!.Status);
        Assert.Equal(ExecutionStatus.Succeeded, Assert.Single(view.Steps).Status);
        var step = await Cluster.Client.GetGrain<IStepGrain>("run-ok:0").GetAsync();
        Assert.Equal((ExecutionStatus.Succeeded, 2, 2, 2, 0), (step!.Status, step.TotalTargets, step.Dispatched, step.Succeeded, step.Failed));
        // The lists the API serves: targets of the step by status, the instance by status; no open assignment left.
        var targets = Cluster.Storage.Rows(IndexKinds.Target).Where(r => r.Partition == "run-ok:0").ToList();
        Assert.Equal(["web-1", "web-2"], targets.Select(r => r.Key));
        Assert.All(targets, r => Assert.Equal((int)TargetStatus.Succeeded, r.Status));
        Assert.Equal((int)ExecutionStatus.Succeeded, Assert.Single(Cluster.Storage.Rows(IndexKinds.Instance), r => r.Key == "run-ok").Status);
        Assert.Empty(Cluster.Storage.Rows(IndexKinds.Assignment));
        var target = await Cluster.Client.GetGrain<IHostTargetGrain>("run-ok:0:web-1").GetAsync();
        Assert.Equal(0, Assert.Single(target!.Attempts).ExitCode);
        // No reminder row for any of it: every timer of a run is a wake-up.
        Assert.Empty(await Cluster.RemindersOf(Cluster.Client.GetGrain<IHostTargetGrain>("run-ok:0:web-1")));
        Assert.Empty(await Cluster.RemindersOf(Cluster.Client.GetGrain<IStepGrain>("run-ok:0")));
    }

    [Fact]
    public async Task Run_TargetFailsWithRetry_RunsAgainAfterTheBackoffOnTheClockAndSucceeds()
    {
        await Cluster.RegisterHostAsync("db-1");
        await Cluster.RunAsync("retrying", OneStep("db-1", """
                execution:
                  retry: {limit: 1, initialBackoff: 20s}
            """), "run-retry");

        var first = await Cluster.WaitAssignmentAsync("db-1", _ => true, "the first assignment");
        await Cluster.RunAssignmentAsync(first, exitCode: 1);
        var target = Cluster.Client.GetGrain<IHostTargetGrain>("run-retry:0:db-1");
        Assert.Equal(TargetStatus.Retrying, (await target.GetAsync())!.Status);
        Assert.Empty(Cluster.Assignments("db-1"));

        // Not before its time: 19 s on, still waiting.
        await Cluster.AdvanceAsync(TimeSpan.FromSeconds(19), TimeSpan.FromSeconds(19));
        Assert.Equal(TargetStatus.Retrying, (await target.GetAsync())!.Status);
        Assert.Empty(Cluster.Assignments("db-1"));

        await Cluster.AdvanceAsync(TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(1));
        var second = await Cluster.WaitAssignmentAsync("db-1", r => r.Key.EndsWith("#2", StringComparison.Ordinal), "the retry's assignment");
        await Cluster.RunAssignmentAsync(second, exitCode: 0);

        var view = await Cluster.WaitInstanceAsync("run-retry", v => v.Status.IsFinal(), "the run to end");
        Assert.Equal(ExecutionStatus.Succeeded, view!.Status);
        var attempts = (await target.GetAsync())!.Attempts;
        Assert.Equal([(1, TargetStatus.Failed, (int?)1), (2, TargetStatus.Succeeded, 0)], attempts.Select(a => (a.Run, a.Status, a.ExitCode)));
        var step = await Cluster.Client.GetGrain<IStepGrain>("run-retry:0").GetAsync();
        Assert.Equal((1, 0), (step!.Succeeded, step.Failed));
        Assert.Empty(await Cluster.RemindersOf(target));
    }

    [Fact]
    public async Task Run_TargetFailsBeyondItsRetries_InstanceFails()
    {
        await Cluster.RegisterHostAsync("db-2");
        await Cluster.RunAsync("failing", OneStep("db-2", """
                execution:
                  retry: {limit: 1, initialBackoff: 10s}
            """), "run-fail");

        await Cluster.RunAssignmentAsync(await Cluster.WaitAssignmentAsync("db-2", _ => true, "the first assignment"), exitCode: 2);
        await Cluster.AdvanceAsync(TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(10));
        await Cluster.RunAssignmentAsync(await Cluster.WaitAssignmentAsync("db-2", r => r.Key.EndsWith("#2", StringComparison.Ordinal), "the retry"), exitCode: 2);

        var view = await Cluster.WaitInstanceAsync("run-fail", v => v.Status.IsFinal(), "the run to end");
        Assert.Equal(ExecutionStatus.Failed, view!.Status);
        var step = await Cluster.Client.GetGrain<IStepGrain>("run-fail:0").GetAsync();
        Assert.Equal((ExecutionStatus.Failed, 0, 1), (step!.Status, step.Succeeded, step.Failed));
        Assert.Equal((int)TargetStatus.Failed, Assert.Single(Cluster.Storage.Rows(IndexKinds.Target), r => r.Partition == "run-fail:0").Status);
    }

    [Fact]
    public async Task Cancel_RunningInstance_TargetsToldToStopAndRunEndsCancelledOnceTheyConfirm()
    {
        await Cluster.RegisterHostAsync("app-1");
        await Cluster.RegisterHostAsync("app-2");
        var instance = await Cluster.RunAsync("cancelled", OneStep("app-1, app-2"), "run-cancel");
        var running = new List<Orchestrator.Runtime.Indexes.IndexRow>();
        foreach (var host in new[] { "app-1", "app-2" })
        {
            var assignment = await Cluster.WaitAssignmentAsync(host, _ => true, $"{host}'s assignment");
            await Cluster.AgentAsync(assignment, AgentEventType.Started);
            running.Add(assignment);
        }
        await Cluster.WaitInstanceAsync("run-cancel", v => v.Status == ExecutionStatus.Running, "the run to show running");

        var cancel = Cluster.NewRequestId();
        await instance.Cancel(new InstanceControl(cancel, "alice", "not today"));
        Assert.Equal(200, (await instance.GetRequestResultAsync(cancel))?.Code);
        Assert.Equal(ExecutionStatus.Stopping, (await instance.GetAsync())!.Status);

        // The agents see the kill request on their assignments, and confirm it.
        foreach (var host in new[] { "app-1", "app-2" })
        {
            var kill = await Cluster.WaitAssignmentAsync(host, r => r.Status == (int)AssignmentState.CancelRequested, $"the cancel of {host}'s run");
            await Cluster.AgentAsync(kill, AgentEventType.Finished, AgentOutcome.Cancelled);
        }

        var view = await Cluster.WaitInstanceAsync("run-cancel", v => v.Status.IsFinal(), "the run to end");
        Assert.Equal(ExecutionStatus.Cancelled, view!.Status);
        Assert.Contains(view.Actions, a => a.Action == "cancel" && a.By == "alice");
        Assert.All(Cluster.Storage.Rows(IndexKinds.Target).Where(r => r.Partition == "run-cancel:0"), r => Assert.Equal((int)TargetStatus.Stopped, r.Status));
        Assert.Empty(Cluster.Storage.Rows(IndexKinds.Assignment));
        // A repeated request id answers the first outcome and changes nothing.
        await instance.Cancel(new InstanceControl(cancel, "alice", "again"));
        Assert.Equal(200, (await instance.GetRequestResultAsync(cancel))?.Code);
        Assert.Single((await instance.GetAsync())!.Actions, a => a.Action == "cancel");
    }

    [Fact]
    public async Task Cancel_AgentNeverConfirms_TargetStoppedByItsGraceWakeUp()
    {
        await Cluster.RegisterHostAsync("app-3");
        var instance = await Cluster.RunAsync("silent", OneStep("app-3"), "run-silent");
        await Cluster.AgentAsync(await Cluster.WaitAssignmentAsync("app-3", _ => true, "the assignment"), AgentEventType.Started);
        await Cluster.WaitInstanceAsync("run-silent", v => v.Status == ExecutionStatus.Running, "the run to show running");

        await instance.Cancel(new InstanceControl(Cluster.NewRequestId(), "bob", null));
        await Cluster.WaitAssignmentAsync("app-3", r => r.Status == (int)AssignmentState.CancelRequested, "the cancel request");
        Assert.Equal(ExecutionStatus.Stopping, (await instance.GetAsync())!.Status);

        await Cluster.AdvanceAsync(TimeSpan.FromSeconds(31), TimeSpan.FromSeconds(10));
        var view = await Cluster.WaitInstanceAsync("run-silent", v => v.Status.IsFinal(), "the run to end");
        Assert.Equal(ExecutionStatus.Cancelled, view!.Status);
        var attempt = Assert.Single((await Cluster.Client.GetGrain<IHostTargetGrain>("run-silent:0:app-3").GetAsync())!.Attempts);
        Assert.Equal(TargetStatus.Stopped, attempt.Status);
        Assert.Contains("did not confirm the kill", attempt.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Timeout_AgentSilentPastTargetTimeout_TargetTimedOutByWakeUpAndRunFails()
    {
        await Cluster.RegisterHostAsync("slow-1");
        await Cluster.RunAsync("slow", OneStep("slow-1", """
                execution:
                  targetTimeout: 1m
            """), "run-slow");
        var assignment = await Cluster.WaitAssignmentAsync("slow-1", _ => true, "the assignment");
        await Cluster.AgentAsync(assignment, AgentEventType.Started);
        var target = Cluster.Client.GetGrain<IHostTargetGrain>("run-slow:0:slow-1");

        // The timeout plus the report grace (30 s): not a moment before.
        await Cluster.AdvanceAsync(TimeSpan.FromSeconds(89), TimeSpan.FromSeconds(10));
        Assert.Equal(TargetStatus.Running, (await target.GetAsync())!.Status);
        await Cluster.AdvanceAsync(TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(1));

        var view = await Cluster.WaitInstanceAsync("run-slow", v => v.Status.IsFinal(), "the run to end");
        Assert.Equal(ExecutionStatus.Failed, view!.Status);
        Assert.Equal(TargetStatus.TimedOut, (await target.GetAsync())!.Status);
        Assert.Empty(Cluster.Storage.Rows(IndexKinds.Assignment));
        Assert.Empty(await Cluster.RemindersOf(target));
    }

    [Fact]
    public async Task Retention_TtlAfterFinishedPasses_InstanceStepsAndTargetsDeletedByWakeUp()
    {
        await Cluster.RegisterHostAsync("tmp-1");
        await Cluster.RegisterHostAsync("tmp-2");
        await Cluster.RunAsync("short-lived", """
            name: short-lived
            ttlAfterFinished: 10m
            steps:
              - name: greet
                targets:
                  hosts: [tmp-1, tmp-2]
                script: echo hello
            """, "run-ttl");
        foreach (var host in new[] { "tmp-1", "tmp-2" })
        {
            await Cluster.RunAssignmentAsync(await Cluster.WaitAssignmentAsync(host, _ => true, $"{host}'s assignment"), exitCode: 0);
        }
        await Cluster.WaitInstanceAsync("run-ttl", v => v.Status == ExecutionStatus.Succeeded, "the run to succeed");
        Assert.Equal(2, Cluster.Storage.Rows(IndexKinds.Target).Count(r => r.Partition == "run-ttl:0"));

        await Cluster.AdvanceAsync(TimeSpan.FromMinutes(9), TimeSpan.FromSeconds(20));
        Assert.NotNull(await Cluster.Client.GetGrain<ITaskInstanceGrain>("run-ttl").GetAsync());
        await Cluster.AdvanceAsync(TimeSpan.FromMinutes(1), TimeSpan.FromSeconds(20));

        await Eventually.Until(() => Cluster.Client.GetGrain<ITaskInstanceGrain>("run-ttl").GetAsync().AsTask(), v => v is null, GrainCluster.Deadline, "the instance to be deleted");
        await Eventually.Until(() => Task.FromResult(Cluster.Logs.Deleted.Order(StringComparer.Ordinal).ToList()),
            d => d.SequenceEqual(["run-ttl:0:tmp-1#", "run-ttl:0:tmp-2#"]), GrainCluster.Deadline, "both targets' logs to be deleted");
        Assert.DoesNotContain(Cluster.Storage.Rows(IndexKinds.Instance), r => r.Key == "run-ttl");
        await Eventually.Until(() => Task.FromResult(Cluster.Storage.Rows(IndexKinds.Target).Concat(Cluster.Storage.Rows(IndexKinds.StepTarget)).Count(r => r.Partition.StartsWith("run-ttl:", StringComparison.Ordinal))),
            n => n == 0, GrainCluster.Deadline, "the step's rows to go");
        Assert.Null(await Cluster.Client.GetGrain<IHostTargetGrain>("run-ttl:0:tmp-1").GetAsync());
        var request = Cluster.NewRequestId();
        await Cluster.Client.GetGrain<ITaskInstanceGrain>("run-ttl").Delete(new DeleteInstance(request, "test", null));
        Assert.Equal(200, (await Cluster.Client.GetGrain<ITaskInstanceGrain>("run-ttl").GetRequestResultAsync(request))?.Code);
    }

    [Fact]
    public async Task Run_Delayed_ScheduledUntilItsStartWakeUpThenRuns()
    {
        await Cluster.RegisterHostAsync("late-1");
        var plan = Cluster.Client.GetGrain<IPlanGrain>("later");
        await plan.Save(new SavePlan(Cluster.NewRequestId(), GrainCluster.Plan(OneStep("late-1")), null, "test"));
        await plan.Run(new RunPlan(Cluster.NewRequestId(), "run-later", 0, new Dictionary<string, string>(), "test", new RunOptions { Delay = TimeSpan.FromMinutes(5) }));
        var view = await Cluster.WaitInstanceAsync("run-later", _ => true, "the instance");
        Assert.Equal(ExecutionStatus.Scheduled, view!.Status);
        Assert.Equal(Cluster.Clock.GetUtcNow().AddMinutes(5), view.NotBefore);

        await Cluster.AdvanceAsync(TimeSpan.FromSeconds(299), TimeSpan.FromSeconds(20));
        Assert.Equal(ExecutionStatus.Scheduled, (await Cluster.Client.GetGrain<ITaskInstanceGrain>("run-later").GetAsync())!.Status);
        Assert.Empty(Cluster.Assignments("late-1"));
        await Cluster.AdvanceAsync(TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(1));

        await Cluster.RunAssignmentAsync(await Cluster.WaitAssignmentAsync("late-1", _ => true, "the assignment once started"), exitCode: 0);
        view = await Cluster.WaitInstanceAsync("run-later", v => v.Status.IsFinal(), "the run to end");
        Assert.Equal(ExecutionStatus.Succeeded, view!.Status);
        Assert.Equal(Cluster.Clock.GetUtcNow(), view.StartedAt);
    }

    [Fact]
    public async Task Step_DeadlinePasses_RunningTargetsStoppedAndStepFails()
    {
        await Cluster.RegisterHostAsync("dl-1");
        await Cluster.RunAsync("deadline", OneStep("dl-1", """
                execution:
                  deadline: 2m
            """), "run-deadline");
        await Cluster.AgentAsync(await Cluster.WaitAssignmentAsync("dl-1", _ => true, "the assignment"), AgentEventType.Started);

        await Cluster.AdvanceAsync(TimeSpan.FromMinutes(2), TimeSpan.FromSeconds(20));
        var kill = await Cluster.WaitAssignmentAsync("dl-1", r => r.Status == (int)AssignmentState.CancelRequested, "the kill request");
        await Cluster.AgentAsync(kill, AgentEventType.Finished, AgentOutcome.Cancelled);

        var view = await Cluster.WaitInstanceAsync("run-deadline", v => v.Status.IsFinal(), "the run to end");
        Assert.Equal(ExecutionStatus.Failed, view!.Status);
        Assert.Contains("deadline", Assert.Single(view.Steps).Reason, StringComparison.Ordinal);
        Assert.Equal(TargetStatus.Stopped, (await Cluster.Client.GetGrain<IHostTargetGrain>("run-deadline:0:dl-1").GetAsync())!.Status);
    }
}
