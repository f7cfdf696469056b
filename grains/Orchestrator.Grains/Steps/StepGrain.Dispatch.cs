using Orchestrator.GrainInterfaces;
using Orchestrator.Grains.Common;
using Orchestrator.Plans.Model;
using Orchestrator.Runtime.Indexes;

namespace Orchestrator.Grains.Steps;

public sealed partial class StepGrain
{
    /// <summary>
    /// Decides the current batch's next positions, up to the parallelism limit: they count as running from now on, and
    /// the step's delivery loop starts their targets once this turn is durable (StepGrain.Delivery.cs).
    /// </summary>
    private void DispatchMore()
    {
        var count = Rollout.DispatchCount(State.Next, State.BatchEnd, State.Running, State.Definition!.Execution.Parallelism);
        if (count == 0)
        {
            return;
        }
        State.Next += count;
        State.Running += count;
        DeliverStartsAfterThisTurn();
        ArmReportBackstop();
    }

    /// <summary>
    /// Why the step may not distribute its uploaded files: the first one not uploaded into the step's namespace (files
    /// are shared by content, but a namespace reaches only those uploaded into it); null when every one was.
    /// </summary>
    private async Task<string?> FileNotInNamespaceAsync()
    {
        var ns = Namespaces.Of(State.Context?.Namespace);
        var shas = State.Definition!.Files!.Sources.Where(s => s.Sha256 is not null).Select(s => s.Sha256!.ToLowerInvariant()).Distinct(StringComparer.Ordinal).ToList();
        if (shas.Count == 0)
        {
            return null;
        }
        var found = (await Indexes.GetAsync(IndexKinds.File, ns, shas)).Select(r => r.Key).ToHashSet(StringComparer.Ordinal);
        return shas.FirstOrDefault(s => !found.Contains(s)) is { } absent
            ? $"No file {absent} in namespace '{ns}': upload it there first (POST /api/v1/files?namespace={ns})."
            : null;
    }

    /// <summary>Starts uploads of the files taken from source hosts; false when every source is already stored.</summary>
    private async Task<bool> StartCollectingAsync()
    {
        var files = State.Definition!.Files!;
        State.Files = [.. files.Sources.Select(s => s.Sha256 is { } sha ? new WorkFile(FileName(s), sha, 0) : null)];
        var ns = Namespaces.Of(State.Context?.Namespace);
        var online = HostNamespaces.LiveIn(await Indexes.GetAsync(IndexKinds.Host, "", [.. files.Sources.Where(s => s.FromHost is not null).Select(s => s.FromHost!)]), ns);
        for (var i = 0; i < files.Sources.Count; i++)
        {
            var source = files.Sources[i];
            if (source.FromHost is not { } host)
            {
                continue;
            }
            State.Collecting = true;
            var work = new WorkSpec { Kind = WorkKind.Upload, UploadPath = source.Path, Secrets = State.Context!.SecretValues };
            var start = new StartTarget(GrainKey, host, State.Attempt, work, State.Definition.Execution.TargetTimeout, new RetryPolicy(), [], online.Contains(host), Namespace: ns,
                TraceParent: State.TraceParent);
            await Send<IHostTargetGrain>(GrainKeys.Target(GrainKey, SourceName(i))).Start(start);
        }
        return State.Collecting;
    }

    private async Task OnSourceCollected(TargetReport report)
    {
        if (!State.Collecting || State.Stopping || !int.TryParse(report.Host.AsSpan(4), System.Globalization.CultureInfo.InvariantCulture, out var index)
            || index < 0 || index >= State.Files.Count)
        {
            return;
        }
        var source = State.Definition!.Files!.Sources[index];
        if (report.Status != TargetStatus.Succeeded || report.Outputs?.GetValueOrDefault("sha256") is not { } sha)
        {
            State.Collecting = false;
            State.Reason = $"Could not take '{source.Path}' from {source.FromHost}: {report.Status}.";
            await Stop(new StepStop(ExecutionStatus.Failed, State.Reason, TargetStatus.Cancelled));
            return;
        }
        State.Files[index] = new WorkFile(FileName(source), sha, long.TryParse(report.Outputs.GetValueOrDefault("size"), out var size) ? size : 0);
        // Taken from a host of this namespace, the file is now one of the namespace's: agents bound to the namespace
        // (registered with its token) may download it, as they may files uploaded into it.
        await GrainFactory.GetGrain<IFileGrain>(IFileGrain.Key(Namespaces.Of(State.Context?.Namespace), sha)).Record(State.Files[index]!.Size, $"step {GrainKey}");
        if (State.Files.All(f => f is not null))
        {
            State.Collecting = false;
            StartBatch(0);
        }
    }

    private static string SourceName(int index) => $"@src{index}";

    private static string FileName(FileSource source) =>
        source.Name ?? (source.Path is { } path ? Path.GetFileName(path) : source.Sha256!);
}
