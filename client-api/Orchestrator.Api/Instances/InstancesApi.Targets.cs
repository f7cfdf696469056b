using Orchestrator.Api.Common;
using Orchestrator.GrainInterfaces;
using Orchestrator.Runtime.Indexes;

namespace Orchestrator.Api.Instances;

public static partial class InstancesApi
{
    /// <summary>Checks the path of a step (<c>{id}/steps/{step}</c>) and, when given, a target in it.</summary>
    private static ProblemHttpResult? CheckStepPath(string id, string stepText, string? host, out int step)
    {
        step = 0;
        return Ids.Check("id", id) ?? Ids.CheckStep("step", stepText, out step) ?? (host is null ? null : Ids.CheckTarget("host", host));
    }

    /// <summary>
    /// A page of a step's targets in host order (<c>sort=-name</c>: backwards), or by status with <c>sort=status</c> / <c>-status</c>
    /// (<see cref="TargetOrder"/>): <c>status</c> (one or more, comma-separated), <c>group</c> (the hosts of one
    /// output group, from its own rows) and <c>prefix</c> (hosts whose name starts with it: a key range, so as cheap as
    /// any page) narrow it.
    /// </summary>
    private static async Task<Results<Ok<Page<TargetListItem>>, ProblemHttpResult>> Targets(string id, string step, HttpContext http, ApiContext api, CancellationToken cancellationToken)
    {
        var query = new QueryValues(http);
        var status = query.Text("status", ApiLimits.MaxQueryValueLength);
        var group = query.Text("group", OutputGroupKey.MaxLength + 1);
        var prefix = query.Text("prefix", ApiLimits.MaxQueryValueLength);
        var sort = query.OneOf("sort", TargetOrder.Names) ?? TargetOrder.Name;
        var after = query.After();
        var size = query.Limit(api.Options.MaxPageSize);
        int[]? statuses = null;
        if (status is not null)
        {
            var parsed = new List<int>();
            foreach (var part in status.Split(',', StringSplitOptions.TrimEntries))
            {
                if (!TryStatus<TargetStatus>(part, out var s))
                {
                    query.Errors.Add(new FieldError("status", $"{Quote.Of(part)} is not a target status; use one or more of {StatusNames<TargetStatus>()}, separated by commas."));
                    break;
                }
                parsed.Add((int)s);
            }
            statuses = [.. parsed.Distinct()];
        }
        if (group is not null && !OutputGroupKey.TryParse(group, out _, out _, out _))
        {
            query.Errors.Add(new FieldError("group", $"{Quote.Of(group)} is not an output group: pass a 'key' from the step's groups."));
        }
        if (prefix is not null && !Orchestrator.Plans.Validation.HostNames.IsValid(prefix))
        {
            query.Errors.Add(new FieldError("prefix", $"{Quote.Of(prefix)} is not the start of a host name: {Orchestrator.Plans.Validation.HostNames.Rule}."));
        }
        int? afterStatus = null;
        if (TargetOrder.ByStatus(sort) && after is not null)
        {
            if (TargetOrder.TryParseKey(after, out var cursorStatus, out var cursorHost))
            {
                (afterStatus, after) = (cursorStatus, cursorHost);
            }
            else
            {
                query.Errors.Add(new FieldError("after", $"This cursor is not one of the '{sort}' order: pass the 'next' value of the previous page unchanged."));
            }
        }
        if ((CheckStepPath(id, step, null, out var index) ?? query.Problem()) is { } bad)
        {
            return bad;
        }
        var stepKey = GrainKeys.Step(id, index);
        var (kind, partition) = group is null ? (IndexKinds.Target, stepKey) : (IndexKinds.TargetGroup, IndexKinds.TargetGroupPartition(stepKey, group));
        if (TargetOrder.ByStatus(sort))
        {
            return TypedResults.Ok(await TargetsByStatusAsync(api, kind, partition, sort == TargetOrder.StatusDescending, statuses, afterStatus, after, prefix, size, cancellationToken));
        }
        var descending = sort == TargetOrder.NameDescending;
        var from = prefix is null ? after : descending ? HostPrefix.Earlier(after, HostPrefix.Ceiling(prefix)) : HostPrefix.Later(after, HostPrefix.Floor(prefix));
        var rows = await api.Client.Indexes.QueryAsync(new IndexQuery(kind, [partition]) { Statuses = statuses, AfterKey = from, Limit = size, Descending = descending }, cancellationToken);
        var inRange = prefix is null ? rows : [.. rows.TakeWhile(r => r.Key.StartsWith(prefix, StringComparison.Ordinal))];
        var items = inRange.Select(r => new TargetListItem(r.Key, IndexJson.Parse<TargetIndexData>(r.Data!))).ToList();
        // Past the prefix's range, or a short page: the last page.
        return TypedResults.Ok(new Page<TargetListItem>(items, inRange.Count < rows.Count ? null : Cursor.Next(items.Count, size, () => items[^1].Host)));
    }

    /// <summary>
    /// A page in a status order: each status's range of the (kind, part, status, key) index in turn, from the cursor's
    /// status and host, until the page is full; at most one query per status (a dozen), whatever the step's size.
    /// </summary>
    private static async Task<Page<TargetListItem>> TargetsByStatusAsync(ApiContext api, string kind, string partition, bool descending, IReadOnlyCollection<int>? statuses,
        int? afterStatus, string? afterHost, string? prefix, int size, CancellationToken cancellationToken)
    {
        var items = new List<TargetListItem>(size);
        var last = 0;
        foreach (var status in TargetOrder.Statuses(descending, Enum.GetValues<TargetStatus>().Select(s => (int)s), statuses, afterStatus))
        {
            var start = status == afterStatus ? afterHost : null;
            var from = prefix is null ? start : HostPrefix.Later(start, HostPrefix.Floor(prefix));
            var rows = await api.Client.Indexes.QueryAsync(new IndexQuery(kind, [partition]) { Statuses = [status], AfterKey = from, Limit = size - items.Count }, cancellationToken);
            var inRange = prefix is null ? rows : [.. rows.TakeWhile(r => r.Key.StartsWith(prefix, StringComparison.Ordinal))];
            items.AddRange(inRange.Select(r => new TargetListItem(r.Key, IndexJson.Parse<TargetIndexData>(r.Data!))));
            last = status;
            if (items.Count == size)
            {
                break;
            }
        }
        return new Page<TargetListItem>(items, Cursor.Next(items.Count, size, () => TargetOrder.Key(last, items[^1].Host)));
    }

    /// <summary>A step's hosts grouped by identical output, exit code and status, largest group first (kept by the step as its targets report).</summary>
    private static async Task<Results<Ok<StepGroupsReply>, ProblemHttpResult>> Groups(string id, string step, HttpContext http, ApiContext api)
    {
        if ((CheckStepPath(id, step, null, out var index) ?? new QueryValues(http).Problem()) is { } bad)
        {
            return bad;
        }
        var view = await api.Client.GetGrain<IStepGrain>(GrainKeys.Step(id, index)).GetGroupsAsync();
        return view is null
            ? Problems.NotFound($"No step {index} in '{id}' (or it has not started).")
            : TypedResults.Ok(new StepGroupsReply(index, view.Attempt, view.Groups, view.Other, view.Grouped, view.MaxGroups));
    }

    private static async Task<Results<Ok<HostTargetView>, ProblemHttpResult>> Target(string id, string step, string host, HttpContext http, ApiContext api, CancellationToken cancellationToken)
    {
        if ((CheckStepPath(id, step, host, out var index) ?? new QueryValues(http).Problem()) is { } bad)
        {
            return bad;
        }
        var view = await TargetViewAsync(api, GrainKeys.Step(id, index), host, cancellationToken);
        return view is null ? Problems.NotFound($"No target '{host}' in step {index} of '{id}'.") : TypedResults.Ok(view);
    }

    /// <summary>
    /// A target of either kind: its row says whether a host's agent or a cluster's Job runs it (a container step's
    /// targets are its clusters), and that grain is asked.
    /// </summary>
    private static async Task<HostTargetView?> TargetViewAsync(ApiContext api, string stepKey, string name, CancellationToken cancellationToken)
    {
        var rows = await api.Client.Indexes.GetAsync(IndexKinds.Target, stepKey, [name], cancellationToken);
        var kind = rows.Count > 0 && rows[0].Data is { } data ? IndexJson.Parse<TargetIndexData>(data).Kind ?? TargetKind.Host : TargetKind.Host;
        return await TargetGrains.Get(api.Client.Grains, kind, GrainKeys.Target(stepKey, name)).GetAsync();
    }

    /// <summary>
    /// A run's log: <c>run</c> (from 1) defaults to the latest; <c>from</c> (a chunk sequence, from 0) + <c>limit</c>
    /// read a range of chunks, <c>tail</c> the last chunks (not both); <c>format=text</c> answers plain text. A container
    /// target's log is per pod: <c>pod</c> names one (default: the run's first pod); its chunks are the pod's lines.
    /// </summary>
    private static async Task<Results<Ok<LogReply>, ContentHttpResult, ProblemHttpResult>> Log(string id, string step, string host, HttpContext http, ApiContext api, CancellationToken cancellationToken)
    {
        var query = new QueryValues(http);
        var run = query.Int("run", 1, int.MaxValue);
        var from = query.Whole("from", 0, long.MaxValue);
        var limit = query.Int("limit", 1, ApiLimits.MaxLogChunks);
        var tail = query.Int("tail", 1, ApiLimits.MaxLogChunks);
        var format = query.OneOf("format", "json", "text");
        var pod = query.Text("pod", 253);
        if (pod is not null && !Orchestrator.Plans.Validation.ContainerNames.IsDnsSubdomain(pod))
        {
            query.Errors.Add(new FieldError("pod", $"{Quote.Of(pod)} is not a pod name (a DNS subdomain: lower-case letters, digits, '-' and '.')."));
        }
        if (tail is not null && (from is not null || limit is not null))
        {
            query.Errors.Add(new FieldError("tail", "Give either tail, or from and limit; not both."));
        }
        if ((CheckStepPath(id, step, host, out var index) ?? query.Problem()) is { } bad)
        {
            return bad;
        }
        var client = api.Client;
        var targetKey = GrainKeys.Target(GrainKeys.Step(id, index), host);
        var view = await TargetViewAsync(api, GrainKeys.Step(id, index), host, cancellationToken);
        if (view is null)
        {
            return Problems.NotFound($"No target '{host}' in step {index} of '{id}'.");
        }
        var r = run ?? view.Run;
        if (r > view.Run || r < 1)
        {
            return view.Run == 0
                ? Problems.NotFound($"Target '{host}' in step {index} of '{id}' has not run yet.")
                : Problems.Field("run", $"Run {r} does not exist; this target has runs 1 to {view.Run}.");
        }
        var stream = GrainKeys.LogStream(targetKey, r);
        long? total = view.Attempts.FirstOrDefault(a => a.Run == r)?.LogChunks;
        if (view.Kind == TargetKind.Container)
        {
            // The current run's pods are in its Job's view, an earlier run's in its attempt.
            var pods = (r == view.Run ? view.Container?.Pods : view.Attempts.FirstOrDefault(a => a.Run == r)?.Pods) ?? [];
            var chosen = pod is null ? pods.FirstOrDefault() : pods.FirstOrDefault(p => p.Pod == pod);
            if (pod is null && chosen is null)
            {
                return Problems.Field("pod", r == view.Run ? $"Run {r} of '{host}' has no pod with a log yet." : $"Run {r} of '{host}' had no pod with a log.");
            }
            stream = GrainKeys.PodLogStream(targetKey, r, chosen?.Pod ?? pod!);
            total = chosen is not null && (r < view.Run || view.Status.IsFinal()) ? chosen.LogChunks : null; // an earlier run has ended
        }
        else if (pod is not null)
        {
            return Problems.Field("pod", $"'{host}' is a host target: its log has no pods.");
        }
        var page = tail is { } t
            ? await client.Logs.TailAsync(stream, t, cancellationToken)
            : await client.Logs.ReadAsync(stream, from ?? 0, limit ?? 1000, cancellationToken);
        if (format == "text")
        {
            return TypedResults.Text(string.Concat(page.Chunks.Select(c => c.Text)), "text/plain");
        }
        return TypedResults.Ok(new LogReply(r, total is { } all && page.NextSeq >= all, page.NextSeq, page.Truncated, page.StoredBytes,
            [.. page.Chunks.Select(c => new LogChunkReply(c.Seq, c.At, c.Channel, c.Text))]));
    }
}
