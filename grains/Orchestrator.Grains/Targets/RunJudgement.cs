using Orchestrator.GrainInterfaces;
using Orchestrator.Plans.Model;

namespace Orchestrator.Grains.Targets;

/// <summary>What a run's end means for its target: the status it ends with, and what that does to the step.</summary>
/// <param name="Status">The target's status for this run (retried first if it is a failure and retries are left).</param>
/// <param name="FailStep">The step fails at once (an exit-code rule's <see cref="ExitCodeAction.FailStep"/>).</param>
/// <param name="MayRetry">False when a rule says to fail without retries; the retry policy decides the rest.</param>
public readonly record struct RunVerdict(TargetStatus Status, bool FailStep = false, bool MayRetry = true);

/// <summary>
/// The one place a finished run is judged. A run that went to its exit — the agent says <see cref="AgentOutcome.Succeeded"/>
/// or <see cref="AgentOutcome.Failed"/> and reports an exit code — is judged from the raw exit code alone, whatever
/// the agent concluded from it: 0 is success and never reaches the rules (as in Kubernetes' podFailurePolicy); any
/// other code goes to the step's exit-code rules, the first match deciding, and one no rule matches counts as a
/// failure. Without an exit code (files, http requests: the agent checked the checksum or the status) and for runs
/// that did not go to their exit (timed out, killed, could not start) the agent's outcome stands.
/// </summary>
public static class RunJudgement
{
    /// <summary>A run that finished on its own.</summary>
    public static RunVerdict Finished(AgentOutcome? outcome, int? exitCode, IReadOnlyList<ExitCodeRule> rules) => outcome switch
    {
        AgentOutcome.Succeeded or AgentOutcome.Failed when exitCode is { } code => ExitCode(code, rules),
        AgentOutcome.Succeeded => new(TargetStatus.Succeeded),
        AgentOutcome.TimedOut => new(TargetStatus.TimedOut),
        AgentOutcome.Cancelled => new(TargetStatus.Stopped),
        _ => new(TargetStatus.Failed), // failed without an exit code, error, or no outcome
    };

    /// <summary>
    /// A run that finished after the target was told to stop: it succeeded if it ran to a success before the kill
    /// landed, and is stopped otherwise. It never fails the step nor retries: the step is stopping already.
    /// </summary>
    public static RunVerdict WhileStopping(AgentOutcome? outcome, int? exitCode, IReadOnlyList<ExitCodeRule> rules) =>
        new(Finished(outcome, exitCode, rules).Status == TargetStatus.Succeeded ? TargetStatus.Succeeded : TargetStatus.Stopped);

    /// <summary>
    /// An exit code against the rules. Failing the step and failing the target (Kubernetes' FailJob and FailIndex)
    /// both skip the retries.
    /// </summary>
    public static RunVerdict ExitCode(int code, IReadOnlyList<ExitCodeRule> rules)
    {
        if (code == 0)
        {
            return new(TargetStatus.Succeeded);
        }
        return rules.FirstOrDefault(r => r.Matches(code))?.Action switch
        {
            ExitCodeAction.Ignore => new(TargetStatus.Succeeded),
            ExitCodeAction.FailStep => new(TargetStatus.Failed, FailStep: true, MayRetry: false),
            ExitCodeAction.FailTarget => new(TargetStatus.Failed, MayRetry: false),
            _ => new(TargetStatus.Failed), // count, or no rule matched
        };
    }
}
