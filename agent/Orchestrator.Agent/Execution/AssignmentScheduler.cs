using Microsoft.Extensions.Logging;
using Orchestrator.Agent.Hosting;
using Orchestrator.Agent.Polling;
using Orchestrator.Agent.Protocol;
using Orchestrator.Agent.Reporting;

namespace Orchestrator.Agent.Execution;

/// <summary>
/// The real host's assignments: each accepted one waits for one of <see cref="AgentOptions.Capacity"/> slots, runs
/// (script, download or upload) under its timeout and the server's cancellation, and reports Started, its log and
/// Finished. An id stays held until its Finished event is acknowledged and is then remembered for
/// <see cref="AgentOptions.RecentlyFinishedRetention"/>, so a repeated delivery is ignored.
/// </summary>
internal sealed partial class AssignmentScheduler : IAssignmentWorkload, IDisposable
{
    private readonly AgentOptions options;
    private readonly ReportQueue queue;
    private readonly ScriptExecutor scripts;
    private readonly FileTransferExecutor files;
    private readonly HttpExecutor http;
    private readonly TimeProvider timeProvider;
    private readonly ILogger logger;
    private readonly SemaphoreSlim slots;
    private readonly Lock gate = new();
    private readonly Dictionary<string, HeldAssignment> held = new(StringComparer.Ordinal);
    private readonly RecentIds recent;
    private readonly AsyncSignal changed = new();
    private CancellationTokenSource slotFreed = new();
    private int active;

    public AssignmentScheduler(AgentOptions options, ReportQueue queue, ScriptExecutor scripts, FileTransferExecutor files, HttpExecutor http,
        TimeProvider timeProvider, ILogger logger)
    {
        this.options = options;
        this.queue = queue;
        this.scripts = scripts;
        this.files = files;
        this.http = http;
        this.timeProvider = timeProvider;
        this.logger = logger;
        slots = new SemaphoreSlim(options.Capacity, options.Capacity);
        recent = new RecentIds(options.RecentlyFinishedRetention, timeProvider);
        PollGroups = [[options.Host]];
    }

    public IReadOnlyList<IReadOnlyList<string>> PollGroups { get; }

    public CancellationToken SlotFreedToken
    {
        get
        {
            lock (gate)
            {
                return slotFreed.Token;
            }
        }
    }

    public int HeldCount
    {
        get
        {
            lock (gate)
            {
                return held.Count;
            }
        }
    }

    public int FreeSlots(int group)
    {
        lock (gate)
        {
            return Math.Max(0, options.Capacity - active);
        }
    }

    public IReadOnlyList<string> HeldIds(int group)
    {
        lock (gate)
        {
            return held.Keys.ToArray();
        }
    }

    public void Accept(IReadOnlyList<Assignment> assignments)
    {
        ArgumentNullException.ThrowIfNull(assignments);
        foreach (var assignment in assignments)
        {
            HeldAssignment entry;
            lock (gate)
            {
                if (held.ContainsKey(assignment.Id) || recent.Contains(assignment.Id))
                {
                    Log.RepeatIgnored(logger, assignment.Id);
                    continue;
                }
                entry = new HeldAssignment(assignment);
                held.Add(assignment.Id, entry);
                active++;
            }
            changed.Set();
            // Queued for a slot here, in arrival order (waiters on the semaphore are served first come, first served).
            var slot = slots.WaitAsync(entry.CancelToken);
            // RunAsync turns every failure into the assignment's outcome, so nothing is left to observe.
            _ = Task.Run(() => RunAsync(entry, slot));
        }
    }

    public int Cancel(IReadOnlyList<string> assignmentIds)
    {
        ArgumentNullException.ThrowIfNull(assignmentIds);
        var cancelled = 0;
        foreach (var id in assignmentIds)
        {
            HeldAssignment? entry;
            lock (gate)
            {
                held.TryGetValue(id, out entry);
            }
            if (entry is not null && entry.RequestCancel())
            {
                Log.CancelRequested(logger, id);
                cancelled++;
            }
        }
        return cancelled;
    }

    /// <summary>
    /// The agent is stopping and cannot wait any longer: kills everything held that has not finished (queued ones
    /// never start). Each is reported as an error saying so. Returns how many were killed.
    /// </summary>
    public int AbortAll()
    {
        HeldAssignment[] entries;
        lock (gate)
        {
            entries = [.. held.Values];
        }
        return entries.Count(entry => !entry.Executed && entry.RequestAbort());
    }

    public async Task WhenIdleAsync(CancellationToken cancellationToken)
    {
        while (HeldCount > 0)
        {
            await changed.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    public void Dispose()
    {
        slots.Dispose();
        lock (gate)
        {
            slotFreed.Dispose();
            foreach (var entry in held.Values)
            {
                entry.Dispose();
            }
        }
    }

    private async Task RunAsync(HeldAssignment entry, Task slot)
    {
        var assignment = entry.Assignment;
        using var span = Telemetry.AgentTelemetry.StartAssignment(assignment); // current while it runs: its HTTP calls join the trace
        var log = new AssignmentLog(assignment.Id, queue, new SecretMasker(assignment.Secrets), timeProvider);
        DateTimeOffset? startedAt = null;
        ExecutionResult result;
        var waited = false;
        try
        {
            await slot.ConfigureAwait(false);
            waited = true;
            result = await ExecuteAsync(entry, log, () =>
            {
                startedAt = timeProvider.GetUtcNow();
                queue.AddEvent(new AgentEvent { AssignmentId = assignment.Id, Type = AgentEventType.Started, At = startedAt.Value });
                if (log.Masker.UnmaskedNotice is { } notice)
                {
                    log.System(notice);
                }
            }).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!waited)
        {
            // Cancelled while waiting for a slot: it never started.
            result = new ExecutionResult(AgentOutcome.Cancelled, Killed: true);
        }
        catch (Exception ex)
        {
            // The boundary of one assignment: whatever went wrong becomes its Error outcome, never the agent's crash.
            Log.AssignmentCrashed(logger, assignment.Id, ex);
            log.System($"The agent failed to run the assignment: {ex.Message}");
            result = ExecutionResult.Error;
        }
        finally
        {
            entry.Executed = true;
            if (waited)
            {
                slots.Release();
            }
            ReleaseSlot();
        }

        var outcome = !result.Killed ? result.Outcome
            : entry.CancelRequested ? AgentOutcome.Cancelled
            : entry.AbortRequested ? AgentOutcome.Error
            : AgentOutcome.TimedOut;
        string? message = null;
        if (result.Killed)
        {
            if (entry.AbortRequested && !entry.CancelRequested)
            {
                message = waited ? AbortedMessage : "Not started: the agent stopped (its host is shutting down) before a slot was free.";
            }
            log.System(entry.CancelRequested ? "Cancelled by the server."
                : message is not null ? message
                : $"Timed out after {assignment.TimeoutMs} ms; {(assignment.Kind == AssignmentKind.Http ? "the request was aborted" : "the process tree was killed")}.");
        }
        Log.Finished(logger, assignment.Id, outcome, result.ExitCode);
        Telemetry.AgentTelemetry.Finish(span, outcome, result.ExitCode);
        queue.AddEvent(new AgentEvent
        {
            AssignmentId = assignment.Id,
            Type = AgentEventType.Finished,
            At = timeProvider.GetUtcNow(),
            Outcome = outcome,
            ExitCode = result.ExitCode,
            Message = message ?? result.Message,
            Outputs = log.Outputs(),
            LogChunks = log.ChunkCount,
            UploadedSha256 = result.UploadedSha256,
            StartedAt = startedAt,
            TraceParent = Telemetry.AgentTelemetry.Id(span),
        }, () => Forget(entry));
    }

    private const string AbortedMessage = "Killed: the agent stopped (its host is shutting down) before the assignment finished.";

    private async Task<ExecutionResult> ExecuteAsync(HeldAssignment entry, AssignmentLog log, Action started)
    {
        var assignment = entry.Assignment;
        using var timeout = assignment.TimeoutMs is int ms ? new CancellationTokenSource(TimeSpan.FromMilliseconds(Math.Max(1, ms)), timeProvider) : null;
        using var kill = CancellationTokenSource.CreateLinkedTokenSource(entry.CancelToken, timeout?.Token ?? CancellationToken.None);
        try
        {
            return assignment.Kind switch
            {
                AssignmentKind.Script => await scripts.RunAsync(assignment, log, started, kill.Token).ConfigureAwait(false),
                AssignmentKind.Download => await files.DownloadAsync(assignment, log, started, kill.Token).ConfigureAwait(false),
                AssignmentKind.Upload => await files.UploadAsync(assignment, log, started, kill.Token).ConfigureAwait(false),
                AssignmentKind.Http => await http.RunAsync(assignment, log, started, kill.Token).ConfigureAwait(false),
                _ => Unknown(assignment, log),
            };
        }
        catch (OperationCanceledException) when (kill.IsCancellationRequested)
        {
            return new ExecutionResult(AgentOutcome.Cancelled, Killed: true);
        }
    }

    private static ExecutionResult Unknown(Assignment assignment, AssignmentLog log)
    {
        log.System($"Unknown assignment kind '{assignment.Kind}'.");
        return ExecutionResult.Error;
    }

    private void ReleaseSlot()
    {
        CancellationTokenSource freed;
        lock (gate)
        {
            active--;
            freed = slotFreed;
            slotFreed = new CancellationTokenSource();
        }
        freed.Cancel();
        changed.Set();
    }

    private void Forget(HeldAssignment entry)
    {
        lock (gate)
        {
            held.Remove(entry.Assignment.Id);
            recent.Add(entry.Assignment.Id);
        }
        entry.Dispose();
        changed.Set();
    }

    /// <summary>An assignment from acceptance until its Finished event is acknowledged.</summary>
    private sealed class HeldAssignment(Assignment assignment) : IDisposable
    {
        private readonly CancellationTokenSource cancel = new();
        private int cancelRequested;
        private int abortRequested;
        private bool executed;

        public Assignment Assignment { get; } = assignment;

        public CancellationToken CancelToken => cancel.Token;

        public bool CancelRequested => Volatile.Read(ref cancelRequested) == 1;

        public bool AbortRequested => Volatile.Read(ref abortRequested) == 1;

        /// <summary>It has run (or will never run): only its Finished report is outstanding.</summary>
        public bool Executed
        {
            get => Volatile.Read(ref executed);
            set => Volatile.Write(ref executed, value);
        }

        /// <summary>The server cancelled it. True the first time.</summary>
        public bool RequestCancel() => Kill(ref cancelRequested);

        /// <summary>The agent is stopping and kills it. True the first time.</summary>
        public bool RequestAbort() => Kill(ref abortRequested);

        private bool Kill(ref int flag)
        {
            if (Interlocked.Exchange(ref flag, 1) == 1)
            {
                return false;
            }
            try
            {
                cancel.Cancel();
            }
            catch (ObjectDisposedException)
            {
                // Already finished and forgotten.
            }
            return true;
        }

        public void Dispose() => cancel.Dispose();
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 3201, Level = LogLevel.Debug, Message = "Ignoring assignment {AssignmentId}: it is already held or finished recently")]
        public static partial void RepeatIgnored(ILogger logger, string assignmentId);

        [LoggerMessage(EventId = 3202, Level = LogLevel.Information, Message = "Assignment {AssignmentId}: the server asked to cancel it")]
        public static partial void CancelRequested(ILogger logger, string assignmentId);

        [LoggerMessage(EventId = 3203, Level = LogLevel.Information, Message = "Assignment {AssignmentId} finished: {Outcome} (exit code {ExitCode})")]
        public static partial void Finished(ILogger logger, string assignmentId, AgentOutcome outcome, int? exitCode);

        [LoggerMessage(EventId = 3204, Level = LogLevel.Error, Message = "Assignment {AssignmentId}: the agent failed to run it")]
        public static partial void AssignmentCrashed(ILogger logger, string assignmentId, Exception exception);
    }
}
