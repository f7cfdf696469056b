namespace Orchestrator.Plans.Model;

/// <summary>How a step runs over its targets: concurrency, batches, failure tolerance, timing and retries.</summary>
public sealed record ExecutionSpec
{
    /// <summary>At most this many targets run at once (within a batch); null means no limit. Kubernetes' <c>parallelism</c>.</summary>
    public int? Parallelism { get; init; }

    public RollingSpec? Rolling { get; init; }

    /// <summary>Failed targets the step tolerates; one more fails the step. Default 0.</summary>
    public Quantity FailureBudget { get; init; } = Quantity.Zero;

    /// <summary>
    /// When set, the step succeeds as soon as this many targets succeeded (k of n); the rest are stopped. Kubernetes'
    /// <c>completions</c> is read into this.
    /// </summary>
    public Quantity? SuccessPolicy { get; init; }

    /// <summary>Per-target time limit: the agent kills the script's whole process tree when it passes.</summary>
    public TimeSpan? TargetTimeout { get; init; }

    /// <summary>The step fails when it has not finished this long after it started. Kubernetes' <c>activeDeadlineSeconds</c>.</summary>
    public TimeSpan? Deadline { get; init; }

    /// <summary>Per-target retries; Kubernetes' <c>backoffLimit</c> is read into <see cref="RetryPolicy.Limit"/>.</summary>
    public RetryPolicy Retry { get; init; } = new();

    /// <summary>Exit-code rules, first match wins; a non-zero code no rule matches counts against the budget.
    /// Kubernetes' <c>podFailurePolicy</c> is read into these.</summary>
    public IReadOnlyList<ExitCodeRule> ExitCodes { get; init; } = [];
}

/// <summary>A count, or a percentage of all targets rounded up: <c>3</c> or <c>10%</c>.</summary>
public readonly record struct Quantity(int Value, bool IsPercent)
{
    public static readonly Quantity Zero = new(0, false);

    /// <summary>The count this quantity means for <paramref name="total"/> targets.</summary>
    public int Of(int total) => IsPercent ? (int)Math.Ceiling(total * (long)Value / 100.0) : Value;

    public override string ToString() => IsPercent ? $"{Value}%" : Value.ToString(System.Globalization.CultureInfo.InvariantCulture);
}

/// <summary>What the step does when a batch had failures, or before each batch.</summary>
public enum RollingMode
{
    /// <summary>Pause after a batch with a failed target until an operator continues (bk-job mode 1).</summary>
    PauseOnFailure,

    /// <summary>Roll on regardless; the failure budget still applies (bk-job mode 2).</summary>
    Continue,

    /// <summary>Wait for an operator's confirmation before every batch after the first (bk-job mode 3).</summary>
    Confirm,
}

/// <summary>Rolling batches: <see cref="Expression"/> in bk-job's syntax, see <see cref="Rolling.RollingExpression"/>.</summary>
public sealed record RollingSpec
{
    public string Expression { get; init; } = "";

    public RollingMode Mode { get; init; } = RollingMode.PauseOnFailure;
}

/// <summary>Per-target retries with exponential back-off (Kubernetes Jobs' defaults: 10 s doubling, capped at 10 min).</summary>
public sealed record RetryPolicy
{
    /// <summary>Retries after the first attempt; 0 means none.</summary>
    public int Limit { get; init; }

    public TimeSpan InitialBackoff { get; init; } = TimeSpan.FromSeconds(10);

    public TimeSpan MaxBackoff { get; init; } = TimeSpan.FromMinutes(10);

    public double Factor { get; init; } = 2;

    /// <summary>
    /// The delay before retry number <paramref name="retry"/> (1-based), between zero and <see cref="MaxBackoff"/> (and
    /// never past <see cref="Validation.PlanLimits.MaxDuration"/>).
    /// Never throws, whatever the policy holds: a plan stored before its values were bounded still retries.
    /// </summary>
    public TimeSpan BackoffBefore(int retry)
    {
        var max = TimeSpan.FromTicks(Math.Clamp(MaxBackoff.Ticks, 0, Validation.PlanLimits.MaxDuration.Ticks));
        var factor = double.IsFinite(Factor) && Factor >= 1 ? Factor : 1;
        var ms = Math.Max(0, InitialBackoff.TotalMilliseconds) * Math.Pow(factor, Math.Max(0, retry - 1));
        return double.IsFinite(ms) && ms < max.TotalMilliseconds ? TimeSpan.FromMilliseconds(ms) : max;
    }
}

/// <summary>What an exit code means for the step.</summary>
public enum ExitCodeAction
{
    /// <summary>Fail the whole step at once, without retries.</summary>
    FailStep,

    /// <summary>Treat the target as succeeded.</summary>
    Ignore,

    /// <summary>A failure of the target: retried if retries remain, then counted against the failure budget.</summary>
    Count,

    /// <summary>
    /// A failure of the target without retries (Kubernetes' <c>FailIndex</c>): counted against the failure budget at
    /// once, the other targets go on.
    /// </summary>
    FailTarget,
}

/// <summary>How an <see cref="ExitCodeRule"/> compares an exit code with its <see cref="ExitCodeRule.Codes"/>.</summary>
public enum ExitCodeOperator
{
    /// <summary>The code is one of those listed.</summary>
    In,

    /// <summary>The code is none of those listed.</summary>
    NotIn,
}

/// <summary>Matches exit codes to an action.</summary>
public sealed record ExitCodeRule
{
    public IReadOnlyList<int> Codes { get; init; } = [];

    /// <summary>Whether the rule matches the codes listed (default) or every code not listed.</summary>
    public ExitCodeOperator Operator { get; init; } = ExitCodeOperator.In;

    public ExitCodeAction Action { get; init; } = ExitCodeAction.Count;

    /// <summary>Whether this rule applies to <paramref name="exitCode"/>.</summary>
    public bool Matches(int exitCode) => Codes.Contains(exitCode) == (Operator == ExitCodeOperator.In);
}
