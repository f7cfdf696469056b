using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Orchestrator.GrainInterfaces;
using Orchestrator.Runtime.Durable;
using Orchestrator.Runtime.Retention;

namespace Orchestrator.Grains.Retention;

/// <summary>
/// The retention pass, run by the cluster's one retention grain (<see cref="IRetentionGrain.Key"/>; Orleans keeps one
/// activation, and a duplicate's writes are refused by the ETag). Every <see cref="RetentionOptions.RetentionInterval"/>
/// on the orchestrator clock a durable wake-up starts a pass with cutoffs fixed at its start, in phases: finished
/// instances (archived, then deleted through <see cref="ITaskInstanceGrain.Delete"/>), log days
/// (<c>ILogStore.DropBeforeAsync</c>), audit entries (archived, then deleted) and unreferenced uploaded files.
/// <para>
/// The work runs in a loop of the grain's own outside the turn lock (the status stays readable), batch by batch with a
/// pause after each, and records its checkpoint in a turn after every step (<see cref="RetentionPass"/>). The protocol
/// that makes a crash anywhere lose nothing and archive nothing twice is <see cref="ArchivePart"/>'s: select and record,
/// write the files under deterministic names (fsynced), record them written, delete, record done. While a pass runs a
/// <c>resume</c> wake-up stays armed a little ahead, so the sweeper re-drives the grain on another silo if its silo
/// dies; a silo also pings the grain at start (<see cref="RetentionRegistration"/>).
/// </para>
/// </summary>
[GrainType("retention")]
public sealed partial class RetentionGrain : DurableGrain<RetentionState>, IRetentionGrain
{
    /// <summary>Passes kept in <see cref="RetentionState.Recent"/>.</summary>
    internal const int RecentPasses = 20;

    /// <summary>Archive files and errors listed per pass (the counts stay exact).</summary>
    internal const int MaxListed = 200;

    /// <summary>Who deletes what retention deletes (the instances' deletion records it).</summary>
    internal const string Actor = "retention";

    private const string PassWakeUp = "pass";
    private const string ResumeWakeUp = "resume";

    /// <summary>How far ahead of the last checkpoint the resume wake-up stays: a pass whose silo died resumes after about this.</summary>
    internal static readonly TimeSpan ResumeBackstop = TimeSpan.FromMinutes(2);

    /// <summary>Wait before a step that failed is tried again from the checkpoint.</summary>
    internal static readonly TimeSpan RetryDelay = TimeSpan.FromMinutes(1);

    private static readonly RetentionOptions DefaultOptions = new();
    private Task? _loop;
    private ILogger? _logger;

    private RetentionOptions Options => ServiceProvider.GetService<IOptions<RetentionOptions>>()?.Value ?? DefaultOptions;

    private IRetentionStore Store => ServiceProvider.GetRequiredService<IRetentionStore>();

    private ILogger Logger => _logger ??= ServiceProvider.GetService<ILoggerFactory>()?.CreateLogger<RetentionGrain>() ?? (ILogger)NullLogger.Instance;

    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        if (State.Current is not null)
        {
            Kick(); // the state loaded is durable: resume the pass where its checkpoint says
        }
        return Task.CompletedTask;
    }

    public Task Ping()
    {
        if (State.Current is null && !WakeUps.ContainsKey(PassWakeUp))
        {
            var due = State.NextDue ?? Clock.GetUtcNow() + Options.RetentionInterval;
            State.NextDue = due;
            ArmWakeUp(PassWakeUp, due);
        }
        else if (State.Current is not null)
        {
            AfterWrite(Kick);
        }
        return Task.CompletedTask;
    }

    public ValueTask<RetentionStatus> GetStatusAsync() =>
        ValueTask.FromResult(new RetentionStatus(Options.Describe(), State.Current is null ? State.NextDue : null, State.Current?.View(null), [.. State.Recent]));

    protected override Task OnWakeUpAsync(string name)
    {
        switch (name)
        {
            case PassWakeUp when State.Current is null:
                StartPass();
                break;
            case PassWakeUp:
            case ResumeWakeUp when State.Current is not null:
                ArmWakeUp(ResumeWakeUp, Clock.GetUtcNow() + ResumeBackstop);
                AfterWrite(Kick);
                break;
        }
        return Task.CompletedTask;
    }

    private void StartPass()
    {
        var now = Clock.GetUtcNow();
        var options = Options;
        State.Passes++;
        State.NextDue = null;
        State.Current = new RetentionPass
        {
            Number = State.Passes,
            StartedAt = now,
            InstancesBefore = Cutoff(now, options.InstanceRetention),
            LogsBefore = Cutoff(now, options.LogRetention),
            AuditBefore = Cutoff(now, options.AuditRetention),
            FilesBefore = Cutoff(now, options.FileRetention),
        };
        ArmWakeUp(ResumeWakeUp, now + ResumeBackstop);
        Log.PassStarted(Logger, State.Passes, State.Current.InstancesBefore, State.Current.LogsBefore, State.Current.AuditBefore, State.Current.FilesBefore);
        AfterWrite(Kick);
    }

    private static DateTimeOffset? Cutoff(DateTimeOffset now, TimeSpan keep) => keep == TimeSpan.Zero ? null : now - keep;

    /// <summary>Starts the pass loop unless it runs.</summary>
    private void Kick()
    {
        if (_loop is null || _loop.IsCompleted)
        {
            _loop = RunAsync();
        }
    }

    private async Task RunAsync()
    {
        _referencedFiles = null;
        _planTtls.Clear();
        while (State.Current is not null && !ActivationStopping.IsCancellationRequested)
        {
            try
            {
                if (await StepAsync())
                {
                    await PauseAsync();
                }
            }
            catch (OperationCanceledException) when (ActivationStopping.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex)
            {
                if (State.Current is not { } failed)
                {
                    return;
                }
                Log.StepFailed(Logger, failed.Number, failed.Phase.ToString(), ex);
                try
                {
                    await CheckpointAsync(pass => AddListed(pass.Errors, $"{Clock.GetUtcNow():O} {pass.Phase}: {ex.GetType().Name}: {ex.Message}"));
                    await Task.Delay(RetryDelay, Clock, ActivationStopping);
                }
                catch (Exception) when (ActivationStopping.IsCancellationRequested)
                {
                    return;
                }
                catch (Exception again)
                {
                    // The checkpoint cannot be written either (the database is away): stop here; the resume wake-up
                    // or the next activation carries on from the last checkpoint stored.
                    Log.StepFailed(Logger, failed.Number, failed.Phase.ToString(), again);
                    return;
                }
            }
        }
    }

    /// <summary>One step of the pass from its checkpoint; true when it did a batch of work (a pause follows).</summary>
    private Task<bool> StepAsync() => State.Current!.Phase switch
    {
        RetentionPhase.Instances => InstancesStepAsync(),
        RetentionPhase.Logs => LogsStepAsync(),
        RetentionPhase.Audit => AuditStepAsync(),
        RetentionPhase.Files => FilesStepAsync(),
        _ => FinishAsync(),
    };

    private Task PauseAsync() =>
        Options.RetentionBatchPause > TimeSpan.Zero ? Task.Delay(Options.RetentionBatchPause, Clock, ActivationStopping) : Task.CompletedTask;

    /// <summary>Records a change to the pass in a turn of its own (the checkpoint), moving the resume wake-up ahead.</summary>
    private Task CheckpointAsync(Action<RetentionPass> change) => TurnAsync(() =>
    {
        if (State.Current is { } pass)
        {
            change(pass);
            ArmWakeUp(ResumeWakeUp, Clock.GetUtcNow() + ResumeBackstop);
        }
        return Task.CompletedTask;
    });

    private async Task<bool> AdvanceAsync(RetentionPhase next)
    {
        await CheckpointAsync(pass =>
        {
            pass.Phase = next;
            pass.Cursor = null;
            pass.Pending = null;
        });
        return false;
    }

    private async Task<bool> FinishAsync()
    {
        await TurnAsync(() =>
        {
            if (State.Current is not { } pass)
            {
                return Task.CompletedTask;
            }
            var now = Clock.GetUtcNow();
            pass.Phase = RetentionPhase.Done;
            State.Recent.Insert(0, pass.View(now));
            if (State.Recent.Count > RecentPasses)
            {
                State.Recent.RemoveRange(RecentPasses, State.Recent.Count - RecentPasses);
            }
            State.Current = null;
            var next = pass.StartedAt + Options.RetentionInterval;
            State.NextDue = next > now ? next : now + TimeSpan.FromMinutes(1);
            DisarmWakeUp(ResumeWakeUp);
            ArmWakeUp(PassWakeUp, State.NextDue.Value);
            Log.PassFinished(Logger, pass.Number, now - pass.StartedAt, Counts(pass.Archived), Counts(pass.Deleted), pass.Files.Count, pass.Errors.Count);
            return Task.CompletedTask;
        });
        return false;
    }

    private static string Counts(Dictionary<string, long> counts) =>
        counts.Count == 0 ? "nothing" : string.Join(", ", counts.OrderBy(c => c.Key, StringComparer.Ordinal).Select(c => $"{c.Key} {c.Value}"));

    private static void Add(Dictionary<string, long> counts, string kind, long n) => counts[kind] = counts.GetValueOrDefault(kind) + n;

    private static void AddListed(List<string> list, string item)
    {
        list.Add(item);
        if (list.Count > MaxListed)
        {
            list.RemoveAt(0);
        }
    }

    private IArchive Archive => Options.OpenArchive(TimeProvider.System);

    /// <summary>Awaits the test hook between "archived and recorded" and "deleted", if one is set.</summary>
    private Task BeforeDeletingAsync(string part) => Options.BeforeDeleting?.Invoke(part, ActivationStopping) ?? Task.CompletedTask;

    /// <summary>Awaits the test hook between "files written" and "recorded written", if one is set.</summary>
    private Task BeforeRecordingWrittenAsync(string part) => Options.BeforeRecordingWritten?.Invoke(part, ActivationStopping) ?? Task.CompletedTask;

    /// <summary>The deterministic name of a part's file for one UTC day: the pass and part numbers make it unique.</summary>
    internal static string PartName(string kind, DateOnly day, long pass, int part) =>
        $"{kind}/{day:yyyy-MM-dd}.{pass:D6}-{part:D4}.jsonl.gz";
}
