namespace Orchestrator.Client;

/// <summary>One row of a step's target list: the host and where its target stands.</summary>
public sealed record TargetListItem(string Host, TargetSummary Target);

public sealed record TargetSummary(TargetStatus Status, int Run, int StepAttempt, int? ExitCode, DateTimeOffset? StartedAt, DateTimeOffset? FinishedAt, int? Percent, string? Error);

/// <summary>One host target: status, every run (attempt) with its exit code and times, progress, outputs.</summary>
public sealed record HostTarget(string Key, string Host, TargetStatus Status, int StepAttempt, int Run, IReadOnlyList<TargetRun> Attempts,
    int? Percent, string? ProgressMessage, IReadOnlyDictionary<string, string>? Outputs, DateTimeOffset? ProgressAt);

/// <summary>One run of a target on its agent; <see cref="LogChunks"/> is the number of log chunks once it is known.</summary>
public sealed record TargetRun(int Run, int StepAttempt, TargetStatus Status, int? ExitCode, DateTimeOffset DispatchedAt, DateTimeOffset? StartedAt, DateTimeOffset? FinishedAt, string? Error, long? LogChunks);

/// <summary>
/// A read of a run's log: the chunks, where the next read starts (<see cref="NextSeq"/>), whether every chunk the agent
/// sent is there (<see cref="Complete"/>) and whether the cap cut it (<see cref="Truncated"/>).
/// </summary>
public sealed record LogPage(int Run, bool Complete, long NextSeq, bool Truncated, long StoredBytes, IReadOnlyList<LogChunk> Chunks);

/// <summary>One chunk of a log: its sequence number, when, the stream (<c>stdout</c>, <c>stderr</c>, <c>system</c>) and the text.</summary>
public sealed record LogChunk(long Seq, DateTimeOffset At, string Stream, string Text);

/// <summary>Which part of a run's log to read: <c>from</c> + <c>limit</c> (chunks), or the last <c>tail</c> chunks; <c>run</c> defaults to the latest.</summary>
public sealed record LogRequest(int? Run = null, long? From = null, int? Limit = null, int? Tail = null);
