namespace Orchestrator.Containers.Execution;

/// <summary>How a Job run ended.</summary>
public enum JobOutcomeKind
{
    /// <summary>The Job's <c>Complete</c> condition is true.</summary>
    Succeeded,

    /// <summary>The Job failed: back-off limit exceeded, a pod failure policy's <c>FailJob</c>, or another reason.</summary>
    Failed,

    /// <summary>The Job ran past <c>activeDeadlineSeconds</c> (condition <c>Failed</c>, reason <c>DeadlineExceeded</c>).</summary>
    DeadlineExceeded,

    /// <summary>A pod could not pull its image for longer than <see cref="JobRunOptions.ImagePullGrace"/>; the Job was deleted.</summary>
    ImagePullFailed,

    /// <summary>The Job was deleted before it ended (our cancel, or someone else's delete).</summary>
    Cancelled,

    /// <summary>The API server could not be reached (at create, or longer than <see cref="JobRunOptions.UnreachableGrace"/> while watching).</summary>
    ClusterUnreachable,

    /// <summary>A Job or Secret of that name exists but is not ours (its labels differ); it was left alone.</summary>
    Conflict,
}

/// <summary>The end of one Job run.</summary>
/// <param name="Kind">How it ended.</param>
/// <param name="Message">What happened, for the step's status (names the pod, the exit code, the reason).</param>
/// <param name="Reason">The Kubernetes reason (<c>BackoffLimitExceeded</c>, <c>DeadlineExceeded</c>, <c>PodFailurePolicy</c>, <c>ImagePullBackOff</c>, ...), if any.</param>
/// <param name="ExitCode">The failing pod's container exit code, if it terminated.</param>
/// <param name="Pod">The pod the failure is attributed to, if any.</param>
/// <param name="Progress">The Job's last counts.</param>
public sealed record JobOutcome(JobOutcomeKind Kind, string Message, string? Reason, int? ExitCode, string? Pod, JobProgress Progress);

/// <summary>The Job's pod counts as its status reports them (for our check-ins).</summary>
public sealed record JobProgress(int Active, int Succeeded, int Failed)
{
    /// <summary>No pods yet.</summary>
    public static readonly JobProgress None = new(0, 0, 0);
}

/// <summary>Whether a chunk is a line of the pod's log or the marker that the log was cut at the cap.</summary>
public enum PodLogChunkKind
{
    /// <summary>One line of the container's output, without its newline.</summary>
    Line,

    /// <summary>The pod's log reached <see cref="JobRunOptions.LogBytesPerPod"/>; nothing more is sent for it.</summary>
    Truncated,
}

/// <summary>
/// Where a pod's log has been read to: the last line's timestamp (RFC 3339, nine fraction digits) and how many lines
/// carried that same timestamp. A run given a cursor skips every line up to it, so a resumed run neither loses nor
/// repeats lines.
/// </summary>
public sealed record PodLogCursor(string Timestamp, int Count);

/// <summary>One piece of a pod's log, with the cursor after it (to store alongside the text).</summary>
public sealed record PodLogChunk(string Pod, PodLogChunkKind Kind, string Text, PodLogCursor? Cursor);
