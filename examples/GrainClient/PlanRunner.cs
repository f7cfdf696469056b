using Orchestrator.GrainInterfaces;
using Orchestrator.Plans.Model;
using Orchestrator.Plans.Parameters;
using Orleans;

namespace Orchestrator.Examples.GrainClient;

/// <summary>
/// Runs a plan through the grains, as the REST API does: <see cref="IPlanGrain.Save"/> stores a new version,
/// <see cref="IPlanGrain.Run"/> starts a task instance on it, and <see cref="RunFollower"/> follows the instance to
/// its end. Each command carries a request id; the grain answers once it has persisted the command, and
/// <c>GetRequestResultAsync</c> tells what it decided (refusals come back there, not as exceptions).
/// </summary>
public sealed class PlanRunner(IGrainFactory grains, TextWriter output, TextWriter error, TimeProvider clock)
{
    public const string By = "grain-client-example";

    public async Task<int> RunAsync(string planId, PlanDefinition plan, IReadOnlyDictionary<string, string> parameters, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var (values, parameterErrors) = PlanParameters.Resolve(plan, parameters);
        if (parameterErrors.Count > 0)
        {
            foreach (var e in parameterErrors)
            {
                error.WriteLine($"error: {e}");
            }
            return ExitCodes.Refused;
        }

        var planGrain = grains.GetGrain<IPlanGrain>(planId);
        var save = new SavePlan(NewId(), plan, ExpectedVersion: null, By);
        await planGrain.Save(save);
        var saved = await planGrain.GetRequestResultAsync(save.RequestId);
        if (saved is not { Ok: true })
        {
            return Refused($"saving plan '{planId}'", saved);
        }
        var version = int.Parse(saved.Value!, System.Globalization.CultureInfo.InvariantCulture);
        output.WriteLine($"plan {planId}: saved version {version}");

        var instanceId = NewId();
        var run = new RunPlan(NewId(), instanceId, version, values, By);
        await planGrain.Run(run);
        var started = await planGrain.GetRequestResultAsync(run.RequestId);
        if (started is not { Ok: true })
        {
            return Refused($"running plan '{planId}' version {version}", started);
        }
        output.WriteLine($"instance {instanceId}: started (plan {planId} version {version})");

        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(timeout);
        var final = await new RunFollower(grains, output, clock).FollowAsync(instanceId, plan, deadline.Token);
        if (final is null)
        {
            var reason = cancellationToken.IsCancellationRequested ? "stopped following" : $"the run did not end within {timeout}";
            error.WriteLine($"error: {reason}; instance {instanceId} goes on in the cluster.");
            return ExitCodes.TimedOut;
        }
        if (final.Status == ExecutionStatus.Succeeded)
        {
            output.WriteLine($"result: instance {instanceId} succeeded");
            return ExitCodes.Succeeded;
        }
        var failed = final.Steps.FirstOrDefault(s => s.Status is ExecutionStatus.Failed or ExecutionStatus.Cancelled or ExecutionStatus.Stopped);
        var why = final.Reason ?? (failed is null ? null : $"step {failed.Index} '{failed.Name}' {failed.Status}{(failed.Reason is { } r ? ": " + r : "")}");
        error.WriteLine($"error: instance {instanceId} ended {final.Status}{(why is null ? "" : ": " + why.TrimEnd('.'))}.");
        return ExitCodes.RunFailed;
    }

    private int Refused(string what, RequestResult? result)
    {
        error.WriteLine(result is null
            ? $"error: {what}: the grain kept no outcome for the command."
            : $"error: {what} was refused ({result.Code}): {result.Error}");
        return ExitCodes.Refused;
    }

    private static string NewId() => Guid.NewGuid().ToString("N");
}

/// <summary>The program's exit codes (its usage text lists them).</summary>
public static class ExitCodes
{
    public const int Succeeded = 0;
    public const int RunFailed = 1;
    public const int Refused = 2;
    public const int Unreachable = 3;
    public const int TimedOut = 4;
}
