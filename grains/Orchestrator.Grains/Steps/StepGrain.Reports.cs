using Microsoft.Extensions.Logging;
using Orchestrator.GrainInterfaces;
using Orchestrator.Grains.Common;
using Orchestrator.Runtime.Indexes;

namespace Orchestrator.Grains.Steps;

/// <summary>
/// Reports: heard, counted in batches, and found again when missed. Targets report their end as a notice after their
/// write (no outbox message, so no acknowledgement to write per target); the step queues what it hears and counts it
/// in turns of its own. A report is lost if the target's silo dies before its notice goes out, or the step's
/// activation before it counted what it heard. The
/// target's row holds its final status and position, written with its state; so while targets are out, a backstop
/// wake-up checks that reports keep coming, and when none came for a while it looks for final rows of this attempt
/// whose position is not counted, asks those targets for their report and counts it. Nothing found: it looks again
/// less often (<see cref="ReportBackstop"/> doubling to <see cref="ReportBackstopMax"/>), for steps whose targets
/// run for hours.
/// </summary>
public sealed partial class StepGrain
{
    private const string ReportsWakeUp = "reports";

    /// <summary>How long a step with targets out goes without a report before it looks for reports it missed.</summary>
    internal static readonly TimeSpan ReportBackstop = TimeSpan.FromSeconds(15);

    /// <summary>The longest wait between two looks that found nothing.</summary>
    internal static readonly TimeSpan ReportBackstopMax = TimeSpan.FromMinutes(5);

    private static readonly int[] FinalStatuses = [.. Enum.GetValues<TargetStatus>().Where(s => s.IsFinal()).Select(s => (int)s)];

    private List<TargetReport> _heard = []; // reports heard and not counted yet
    private Task? _counting;
    private int _reportsHeard;  // reports heard since the backstop last looked (this activation)
    private TimeSpan _backstopWait = ReportBackstop;
    private Task? _recovery;

    /// <summary>
    /// Counts the reports heard, all those that arrived meanwhile in one turn: a fan-in of 100,000 reports costs a few
    /// hundred turns and writes of the step, not one each. If a turn fails, what it held is found again by the backstop.
    /// </summary>
    private async Task CountHeardAsync()
    {
        var token = ActivationStopping;
        try
        {
            while (_heard.Count > 0 && !token.IsCancellationRequested)
            {
                var batch = _heard;
                _heard = [];
                await TurnAsync(async () =>
                {
                    foreach (var report in batch)
                    {
                        await ApplyReportAsync(report);
                    }
                });
            }
        }
        catch (Exception ex) when (!token.IsCancellationRequested)
        {
            Log.CountingFailed(Logger, GrainKey, ex);
        }
        catch (OperationCanceledException)
        {
            // The activation is going away; the next one's backstop finds what was heard and not counted.
        }
    }

    /// <summary>Arms the backstop (in a turn that put targets out).</summary>
    private void ArmReportBackstop()
    {
        if (!WakeUps.ContainsKey(ReportsWakeUp))
        {
            ArmWakeUp(ReportsWakeUp, _backstopWait);
        }
    }

    /// <summary>The backstop's wake-up: re-armed while targets are out; looks for missed reports when none came.</summary>
    private bool OnReportsWakeUp(string name)
    {
        if (name != ReportsWakeUp)
        {
            return false;
        }
        if (State.Definition is null || State.Deletion is not null || State.Status.IsFinal() || State.Running <= 0)
        {
            return true; // nothing out: it stays disarmed until targets go out again
        }
        if (_reportsHeard > 0)
        {
            _reportsHeard = 0;
            _backstopWait = ReportBackstop;
        }
        else
        {
            if (_recovery is null || _recovery.IsCompleted)
            {
                var attempt = State.Attempt;
                AfterWrite(() => _recovery = RecoverReportsAsync(attempt));
            }
            _backstopWait = TimeSpan.FromTicks(Math.Min(_backstopWait.Ticks * 2, ReportBackstopMax.Ticks));
        }
        ArmWakeUp(ReportsWakeUp, _backstopWait);
        return true;
    }

    /// <summary>Outside the turn lock: finds final targets of the attempt whose reports were not counted, and counts them.</summary>
    private async Task RecoverReportsAsync(int attempt)
    {
        var token = ActivationStopping;
        try
        {
            var missed = new List<string>();
            string? after = null;
            while (true)
            {
                var page = await Indexes.QueryAsync(new IndexQuery(IndexKinds.Target, [GrainKey]) { Statuses = FinalStatuses, AfterKey = after, Limit = PageSize }, token);
                foreach (var row in page)
                {
                    if (row.Data is null || row.Key.StartsWith('@'))
                    {
                        continue; // a file source reports through the outbox
                    }
                    var data = DomainJson.Deserialize<TargetIndexData>(row.Data);
                    if (data.StepAttempt == attempt && data.Position is { } position && !CountedPositions.IsCounted(State.Counted, position))
                    {
                        missed.Add(row.Key);
                    }
                }
                if (page.Count < PageSize)
                {
                    break;
                }
                after = page[^1].Key;
            }
            if (missed.Count == 0 || State.Attempt != attempt)
            {
                return;
            }
            var reports = new List<TargetReport>();
            await DeliverAllAsync(missed, async host =>
            {
                if (await TargetGrain(host).GetReportAsync(attempt) is { } report)
                {
                    reports.Add(report); // the grain's scheduler runs one continuation at a time
                }
            }, "report lookup", token);
            if (reports.Count == 0)
            {
                return;
            }
            Log.ReportsRecovered(Logger, GrainKey, reports.Count, attempt);
            await TurnAsync(async () =>
            {
                foreach (var report in reports)
                {
                    await ApplyReportAsync(report);
                }
            });
        }
        catch (Exception ex) when (!token.IsCancellationRequested)
        {
            Log.RecoveryFailed(Logger, GrainKey, ex); // the backstop looks again
        }
        catch (OperationCanceledException)
        {
            // The activation is going away; the next one's backstop looks again.
        }
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 5203, Level = LogLevel.Warning, Message = "Step {Step}: counted {Count} reports of attempt {Attempt} that never arrived (their targets' notices were lost)")]
        public static partial void ReportsRecovered(ILogger logger, string step, int count, int attempt);

        [LoggerMessage(EventId = 5205, Level = LogLevel.Warning, Message = "Step {Step}: counting the reports heard failed; the backstop finds them")]
        public static partial void CountingFailed(ILogger logger, string step, Exception exception);

        [LoggerMessage(EventId = 5204, Level = LogLevel.Warning, Message = "Step {Step}: looking for missed reports failed; the backstop looks again")]
        public static partial void RecoveryFailed(ILogger logger, string step, Exception exception);
    }
}
