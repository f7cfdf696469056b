using System.Text.Json;
using Orchestrator.GrainInterfaces;
using Orchestrator.Grains.Common;
using Orchestrator.Runtime.Durable;
using Orchestrator.Runtime.Indexes;

namespace Orchestrator.Grains.Retention;

/// <summary>
/// The instances phase: finished instances whose finish is older than the pass's cutoff, in batches of
/// <see cref="RetentionOptions.RetentionBatchSize"/> read from the runs' time rows from the cutoff back, each batch a part — one archive file per UTC day of
/// finishing holding, for each instance, a line with its view, one per started step, one per target and one per page
/// of each run's log — then deleted through the instance's own deletion (<see cref="ITaskInstanceGrain.Delete"/>: its
/// steps delete their targets, the targets their logs). An instance whose plan sets <c>ttlSecondsAfterFinished</c> is
/// left to its own wake-up.
/// </summary>
public sealed partial class RetentionGrain
{
    private static readonly IReadOnlyList<int> FinalStatuses =
        [.. Enum.GetValues<ExecutionStatus>().Where(s => s.IsFinal()).Select(s => (int)s)];

    /// <summary>Instance deletes in flight at once.</summary>
    private const int DeleteConcurrency = 16;

    private readonly Dictionary<(string Plan, int Version), bool> _planTtls = [];

    private async Task<bool> InstancesStepAsync()
    {
        var pass = State.Current!;
        if (pass.InstancesBefore is not { } cutoff)
        {
            return await AdvanceAsync(RetentionPhase.Logs);
        }
        if (pass.Pending is null)
        {
            return await SelectInstancesAsync(pass, cutoff);
        }
        if (!pass.Pending.Written)
        {
            await ArchiveInstancesAsync(pass.Number, pass.Pending);
            return false;
        }
        await DeleteInstancesAsync(pass.Number, pass.Pending);
        return true;
    }

    /// <summary>
    /// Step 1: the next batch, those due recorded as the pending part (or only the cursor moved). A run that finished
    /// before the cutoff was created before it, so the batch comes from the runs' time rows
    /// (<see cref="IndexKinds.InstanceByTime"/>, newest first) from the cutoff's second on: a pass reads the finished
    /// runs older than the cutoff (and those created before it that finished after), not every finished run kept.
    /// </summary>
    private async Task<bool> SelectInstancesAsync(RetentionPass pass, DateTimeOffset cutoff)
    {
        // A cursor of a pass a previous version began (an instance id) starts over at the cutoff: reading again is harmless.
        var after = pass.Cursor is { } cursor && IndexKinds.IsInstanceTimeKey(cursor) ? cursor : IndexKinds.InstanceTimeBound(cutoff);
        var rows = await Indexes.QueryAsync(new IndexQuery(IndexKinds.InstanceByTime, await NamespaceRegistry.AllPartitionsAsync(Indexes, ActivationStopping))
        {
            Statuses = FinalStatuses,
            AfterKey = after,
            Limit = Options.RetentionBatchSize,
        }, ActivationStopping);
        if (rows.Count == 0)
        {
            return await AdvanceAsync(RetentionPhase.Logs);
        }
        var due = new List<(string Id, DateOnly Day)>();
        foreach (var row in rows)
        {
            var data = row.Data is null ? null : JsonSerializer.Deserialize<InstanceIndexData>(row.Data, DurableJson.Options);
            if (data?.FinishedAt is { } finished && finished < cutoff && !await HasOwnTtlAsync(data.PlanId, data.PlanVersion))
            {
                due.Add((IndexKinds.InstanceIdOfTimeKey(row.Key), DateOnly.FromDateTime(finished.UtcDateTime)));
            }
        }
        var next = rows[^1].Key;
        if (due.Count == 0)
        {
            await CheckpointAsync(p => p.Cursor = next);
            return true;
        }
        var number = pass.Parts + 1;
        var files = due.GroupBy(d => d.Day).OrderBy(g => g.Key)
            .Select(g => new ArchiveFile { Name = PartName("instances", g.Key, pass.Number, number), Ids = [.. g.Select(d => d.Id).Order(StringComparer.Ordinal)] })
            .ToList();
        await CheckpointAsync(p =>
        {
            p.Parts = number;
            p.Pending = new ArchivePart { Number = number, Files = files, NextCursor = next };
        });
        return false;
    }

    /// <summary>Step 2: the part's files written (whole, again after a crash), then recorded as written.</summary>
    private async Task ArchiveInstancesAsync(long passNumber, ArchivePart part)
    {
        var options = Options;
        var lines = new Dictionary<string, long>(StringComparer.Ordinal);
        if (options.Archive)
        {
            var archive = Archive;
            foreach (var file in part.Files)
            {
                lines[file.Name] = await archive.WriteAsync(file.Name, async writer =>
                {
                    foreach (var id in file.Ids)
                    {
                        await WriteInstanceAsync(writer, id);
                    }
                }, ActivationStopping);
                Log.ArchiveWritten(Logger, passNumber, file.Name, file.Ids.Count, lines[file.Name]);
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
            foreach (var file in pending.Files)
            {
                file.Records = lines.GetValueOrDefault(file.Name);
                if (options.Archive)
                {
                    Add(p.Archived, "instances", file.Ids.Count);
                    AddListed(p.Files, file.Name);
                }
            }
        });
    }

    /// <summary>Step 3: each instance deleted (a request id per pass and instance, so a repeat gets the first answer); done recorded.</summary>
    private async Task DeleteInstancesAsync(long passNumber, ArchivePart part)
    {
        await BeforeDeletingAsync(part.Files[0].Name);
        var ids = part.Files.SelectMany(f => f.Ids).ToList();
        var refused = new HashSet<string>(StringComparer.Ordinal);
        foreach (var chunk in ids.Chunk(DeleteConcurrency))
        {
            var results = await Task.WhenAll(chunk.Select(async id =>
            {
                var grain = GrainFactory.GetGrain<ITaskInstanceGrain>(id);
                var requestId = $"retention-{passNumber}-{id}";
                await grain.Delete(new DeleteInstance(requestId, Actor, $"finished before the retention cutoff (pass {passNumber})"));
                return (Id: id, Result: await grain.GetRequestResultAsync(requestId));
            }));
            // 409: it is no longer finished (retried meanwhile): kept, and taken out of the archive below.
            refused.UnionWith(results.Where(r => r.Result is { Code: 409 }).Select(r => r.Id));
        }
        if (refused.Count > 0 && Options.Archive)
        {
            var archive = Archive;
            foreach (var file in part.Files.Where(f => f.Ids.Any(refused.Contains)))
            {
                await archive.RemoveInstancesAsync(file.Name, refused, ActivationStopping);
            }
        }
        var archived = Options.Archive;
        await CheckpointAsync(p =>
        {
            if (p.Pending is null)
            {
                return;
            }
            Add(p.Deleted, "instances", ids.Count - refused.Count);
            if (refused.Count > 0)
            {
                if (archived)
                {
                    Add(p.Archived, "instances", -refused.Count);
                }
                AddListed(p.Errors, $"{refused.Count} instance(s) running again when deleted, kept: {string.Join(", ", refused.Order(StringComparer.Ordinal).Take(10))}");
            }
            p.Cursor = p.Pending.NextCursor;
            p.Pending = null;
        });
        Log.Deleted(Logger, passNumber, "instances", ids.Count - refused.Count);
    }

    /// <summary>Whether the plan version sets its own time to keep finished instances (then retention leaves them).</summary>
    private async Task<bool> HasOwnTtlAsync(string planId, int version)
    {
        if (!_planTtls.TryGetValue((planId, version), out var has))
        {
            var plan = await GrainFactory.GetGrain<IPlanGrain>(planId).GetAsync(version);
            has = plan?.Definition.TtlAfterFinished is not null;
            _planTtls[(planId, version)] = has;
        }
        return has;
    }

    /// <summary>One instance's lines: its view, each started step, each target, each page of each run's log.</summary>
    private async Task WriteInstanceAsync(ArchiveLines writer, string id)
    {
        var view = await GrainFactory.GetGrain<ITaskInstanceGrain>(id).GetAsync();
        if (view is null)
        {
            return; // deleted by someone else meanwhile: nothing left to archive
        }
        await writer.WriteAsync(new ArchiveLine("instance", id, Data: view));
        var batch = Options.RetentionBatchSize;
        foreach (var summary in view.Steps.Where(s => s.Attempt > 0))
        {
            var stepKey = GrainKeys.Step(id, summary.Index);
            var step = await GrainFactory.GetGrain<IStepGrain>(stepKey).GetAsync();
            await writer.WriteAsync(new ArchiveLine("step", id, summary.Index, Data: step));
            string? after = null;
            while (true)
            {
                var rows = await Indexes.QueryAsync(new IndexQuery(IndexKinds.Target, [stepKey]) { AfterKey = after, Limit = batch }, ActivationStopping);
                if (rows.Count == 0)
                {
                    break;
                }
                var targets = await Task.WhenAll(rows.Select(r => TargetGrains.Get(GrainFactory, KindOf(r), GrainKeys.Target(stepKey, r.Key)).GetAsync().AsTask()));
                for (var i = 0; i < rows.Count; i++)
                {
                    if (targets[i] is not { } target)
                    {
                        continue;
                    }
                    var targetKey = GrainKeys.Target(stepKey, rows[i].Key);
                    await writer.WriteAsync(new ArchiveLine("target", id, summary.Index, rows[i].Key, Data: target));
                    foreach (var run in target.Attempts.Select(a => a.Run).Distinct())
                    {
                        await WriteLogAsync(writer, id, summary.Index, rows[i].Key, GrainKeys.LogStream(targetKey, run), batch);
                    }
                    // A container target's log is per pod, of every run: the current run's pods are in its Job's view, earlier runs' in their attempts.
                    foreach (var attempt in target.Kind == TargetKind.Container ? target.Attempts.DistinctBy(a => a.Run) : [])
                    {
                        foreach (var pod in (attempt.Run == target.Run ? target.Container?.Pods : null) ?? attempt.Pods ?? [])
                        {
                            await WriteLogAsync(writer, id, summary.Index, rows[i].Key, GrainKeys.PodLogStream(targetKey, attempt.Run, pod.Pod), batch);
                        }
                    }
                }
                if (rows.Count < batch)
                {
                    break;
                }
                after = rows[^1].Key;
                await PauseAsync();
            }
        }
    }

    private async Task WriteLogAsync(ArchiveLines writer, string id, int step, string host, string stream, int batch)
    {
        var from = 0L;
        while (true)
        {
            var page = await Logs.ReadAsync(stream, from, batch, ActivationStopping);
            if (page.Chunks.Count == 0)
            {
                return;
            }
            await writer.WriteAsync(new ArchiveLine("log", id, step, host, stream,
                page.Chunks.Select(c => new ArchivedChunk(c.Seq, c.At, c.Channel, c.Text)).ToList()));
            if (page.NextSeq <= from)
            {
                return;
            }
            from = page.NextSeq;
        }
    }

    /// <summary>
    /// A line of an instances archive file: <c>type</c> is <c>instance</c>, <c>step</c>, <c>target</c> or <c>log</c>;
    /// <c>data</c> is the instance's, step's or target's view as the API's grain reads return it; a log line carries a
    /// page of the run's chunks.
    /// </summary>
    internal sealed record ArchiveLine(string Type, string Instance, int? Step = null, string? Host = null, string? Stream = null,
        IReadOnlyList<ArchivedChunk>? Chunks = null, object? Data = null);

    internal sealed record ArchivedChunk(long Seq, DateTimeOffset At, string Channel, string Text);

    private static TargetKind KindOf(IndexRow row) =>
        row.Data is { } data ? DomainJson.Deserialize<TargetIndexData>(data).Kind ?? TargetKind.Host : TargetKind.Host;
}
