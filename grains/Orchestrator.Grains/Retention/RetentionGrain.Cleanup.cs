using System.Text.Json;
using Orchestrator.GrainInterfaces;
using Orchestrator.Runtime.Audit;
using Orchestrator.Runtime.Durable;
using Orchestrator.Runtime.Indexes;

namespace Orchestrator.Grains.Retention;

/// <summary>
/// The phases after the instances: log days dropped whole, audit entries archived then deleted (parts as for
/// instances, by id range), uploaded files nothing references deleted.
/// </summary>
public sealed partial class RetentionGrain
{
    private HashSet<string>? _referencedFiles;

    /// <summary>
    /// Logs: the UTC days wholly before the cutoff go. SQLite deletes their chunks a batch per transaction first;
    /// then <c>DropBeforeAsync</c> drops PostgreSQL's day partitions whole (and SQLite's stream counters). Repeating it
    /// after a crash finds less to do, so it needs no part.
    /// </summary>
    private async Task<bool> LogsStepAsync()
    {
        var pass = State.Current!;
        if (pass.LogsBefore is not { } cutoff)
        {
            return await AdvanceAsync(RetentionPhase.Audit);
        }
        var day = DateOnly.FromDateTime(cutoff.UtcDateTime);
        var days = await Store.LogDaysBeforeAsync(day, ActivationStopping);
        var chunks = 0L;
        while (await Store.TrimLogsBeforeAsync(day, Options.RetentionBatchSize, ActivationStopping) is var n and > 0)
        {
            chunks += n;
            await PauseAsync();
        }
        await Logs.DropBeforeAsync(day, ActivationStopping);
        await CheckpointAsync(p =>
        {
            Add(p.Deleted, "logDays", days.Count);
            if (chunks > 0)
            {
                Add(p.Deleted, "logChunks", chunks);
            }
            p.Phase = RetentionPhase.Audit;
            p.Cursor = null;
        });
        if (days.Count > 0)
        {
            Log.LogDaysDropped(Logger, pass.Number, days.Count, days[0].ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture),
                days[^1].ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture));
        }
        return false;
    }

    /// <summary>Audit: the oldest entries before the cutoff, a part per batch (one file per UTC day), archived, then deleted by id range.</summary>
    private async Task<bool> AuditStepAsync()
    {
        var pass = State.Current!;
        if (pass.AuditBefore is not { } cutoff)
        {
            return await AdvanceAsync(RetentionPhase.Files);
        }
        if (pass.Pending is null)
        {
            var rows = await Store.AuditBeforeAsync(cutoff, 0, long.MaxValue, Options.RetentionBatchSize, ActivationStopping);
            if (rows.Count == 0)
            {
                return await AdvanceAsync(RetentionPhase.Files);
            }
            var number = pass.Parts + 1;
            var files = rows.GroupBy(Day).OrderBy(g => g.Key)
                .Select(g => new ArchiveFile { Name = PartName("audit", g.Key, pass.Number, number), Records = g.Count() }).ToList();
            await CheckpointAsync(p =>
            {
                p.Parts = number;
                p.Pending = new ArchivePart { Number = number, Files = files, FirstId = rows[0].Id, LastId = rows[^1].Id };
            });
            return false;
        }
        var part = pass.Pending;
        var count = part.Files.Sum(f => f.Records);
        if (!part.Written)
        {
            var archived = Options.Archive;
            if (archived)
            {
                // Nothing of the range is deleted before Written: the same query finds the same entries again.
                var rows = await Store.AuditBeforeAsync(cutoff, part.FirstId, part.LastId, int.MaxValue, ActivationStopping);
                var archive = Archive;
                foreach (var day in rows.GroupBy(Day))
                {
                    var name = PartName("audit", day.Key, pass.Number, part.Number);
                    var lines = await archive.WriteAsync(name, async writer =>
                    {
                        foreach (var entry in day)
                        {
                            await writer.WriteAsync(new AuditLine("audit", entry));
                        }
                    }, ActivationStopping);
                    Log.ArchiveWritten(Logger, pass.Number, name, day.Count(), lines);
                }
            }
            await BeforeRecordingWrittenAsync(part.Files[0].Name);
            await CheckpointAsync(p =>
            {
                if (p.Pending is not { Written: false } pending)
                {
                    return;
                }
                pending.Written = true;
                if (archived)
                {
                    Add(p.Archived, "audit", count);
                    foreach (var file in pending.Files)
                    {
                        AddListed(p.Files, file.Name);
                    }
                }
            });
            return false;
        }
        await BeforeDeletingAsync(part.Files[0].Name);
        await Store.DeleteAuditAsync(part.FirstId, part.LastId, cutoff, ActivationStopping);
        await CheckpointAsync(p =>
        {
            if (p.Pending is null)
            {
                return;
            }
            Add(p.Deleted, "audit", count); // the part's entries are gone now, whichever attempt deleted them
            p.Pending = null;
        });
        Log.Deleted(Logger, pass.Number, "audit", count);
        return true;
    }

    private static DateOnly Day(AuditEntry entry) => DateOnly.FromDateTime(entry.At.UtcDateTime);

    /// <summary>An audit archive line: the entry as stored, with its id.</summary>
    internal sealed record AuditLine(string Type, AuditEntry Data);

    /// <summary>
    /// Files: those stored before the cutoff, by hash, in batches; the ones no plan version, unfinished instance or
    /// schedule's plan references are deleted (a file uploaded again since is younger and stays). References are
    /// collected once per pass (and again after a restart).
    /// </summary>
    private async Task<bool> FilesStepAsync()
    {
        var pass = State.Current!;
        if (pass.FilesBefore is not { } cutoff)
        {
            return await AdvanceAsync(RetentionPhase.Done);
        }
        _referencedFiles ??= await ReferencedFilesAsync();
        var rows = await Store.BlobsCreatedBeforeAsync(cutoff, pass.Cursor, Options.RetentionBatchSize, ActivationStopping);
        if (rows.Count == 0)
        {
            return await AdvanceAsync(RetentionPhase.Done);
        }
        var garbage = rows.Where(r => !_referencedFiles.Contains(r.Sha256)).Select(r => r.Sha256).ToList();
        var deleted = await Store.DeleteBlobsAsync(garbage, cutoff, ActivationStopping);
        var kept = rows.Count - garbage.Count;
        await CheckpointAsync(p =>
        {
            Add(p.Deleted, "files", deleted);
            p.Cursor = rows[^1].Sha256;
        });
        Log.FilesCollected(Logger, pass.Number, deleted, kept);
        return true;
    }

    /// <summary>
    /// Every file hash a plan version names (all versions of all plans: an instance runs one, a schedule runs its
    /// plan's latest or a pinned one), a schedule's own plan names, and every hash among the outputs of unfinished
    /// instances' steps (files an agent uploaded for a running distribution).
    /// </summary>
    private async Task<HashSet<string>> ReferencedFilesAsync()
    {
        var referenced = new HashSet<string>(StringComparer.Ordinal);
        var partitions = await NamespaceRegistry.AllPartitionsAsync(Indexes, ActivationStopping); // read once for the three scans
        string? after = null;
        while (true)
        {
            var plans = await Indexes.QueryAsync(new IndexQuery(IndexKinds.Plan, partitions) { AfterKey = after, Limit = Options.RetentionBatchSize, KeysOnly = true }, ActivationStopping);
            foreach (var row in plans)
            {
                var plan = GrainFactory.GetGrain<IPlanGrain>(row.Key);
                var latest = await plan.GetAsync(null);
                for (var version = 1; latest is not null && version <= latest.LatestVersion; version++)
                {
                    var view = version == latest.Version ? latest : await plan.GetAsync(version);
                    referenced.UnionWith(ReferencedFiles.Of(view?.Definition));
                }
            }
            if (plans.Count < Options.RetentionBatchSize)
            {
                break;
            }
            after = plans[^1].Key;
        }
        after = null;
        while (true)
        {
            // A schedule runs its plan's versions (above), or a plan of its own (a Harbor periodic job of a built-in kind).
            var schedules = await Indexes.QueryAsync(new IndexQuery(IndexKinds.Schedule, partitions) { AfterKey = after, Limit = Options.RetentionBatchSize, KeysOnly = true }, ActivationStopping);
            foreach (var row in schedules)
            {
                var view = await GrainFactory.GetGrain<IScheduleGrain>(row.Key).GetAsync();
                referenced.UnionWith(ReferencedFiles.Of(view?.Spec.InlinePlan));
            }
            if (schedules.Count < Options.RetentionBatchSize)
            {
                break;
            }
            after = schedules[^1].Key;
        }
        var running = Enum.GetValues<ExecutionStatus>().Where(s => !s.IsFinal()).Select(s => (int)s).ToList();
        after = null;
        while (true)
        {
            var rows = await Indexes.QueryAsync(new IndexQuery(IndexKinds.Instance, partitions) { Statuses = running, AfterKey = after, Limit = Options.RetentionBatchSize }, ActivationStopping);
            foreach (var row in rows)
            {
                var view = await GrainFactory.GetGrain<ITaskInstanceGrain>(row.Key).GetAsync();
                referenced.UnionWith(view?.Steps.SelectMany(s => s.Outputs.Values).Where(ReferencedFiles.IsSha256) ?? []);
                if (row.Data is not null && JsonSerializer.Deserialize<InstanceIndexData>(row.Data, DurableJson.Options) is { } data)
                {
                    var plan = await GrainFactory.GetGrain<IPlanGrain>(data.PlanId).GetAsync(data.PlanVersion);
                    referenced.UnionWith(ReferencedFiles.Of(plan?.Definition));
                }
            }
            if (rows.Count < Options.RetentionBatchSize)
            {
                break;
            }
            after = rows[^1].Key;
        }
        return referenced;
    }
}
