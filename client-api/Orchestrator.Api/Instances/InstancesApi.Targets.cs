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

    private static async Task<Results<Ok<Page<TargetListItem>>, ProblemHttpResult>> Targets(string id, string step, HttpContext http, ApiContext api, CancellationToken cancellationToken)
    {
        var query = new QueryValues(http);
        var status = query.Text("status", ApiLimits.MaxQueryValueLength);
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
        if ((CheckStepPath(id, step, null, out var index) ?? query.Problem()) is { } bad)
        {
            return bad;
        }
        var rows = await api.Client.Indexes.QueryAsync(new IndexQuery(IndexKinds.Target, [GrainKeys.Step(id, index)]) { Statuses = statuses, AfterKey = after, Limit = size }, cancellationToken);
        var items = rows.Select(r => new TargetListItem(r.Key, IndexJson.Parse<TargetIndexData>(r.Data!))).ToList();
        return TypedResults.Ok(new Page<TargetListItem>(items, Cursor.Next(items.Count, size, () => items[^1].Host)));
    }

    private static async Task<Results<Ok<HostTargetView>, ProblemHttpResult>> Target(string id, string step, string host, HttpContext http, ApiContext api, CancellationToken cancellationToken)
    {
        if ((CheckStepPath(id, step, host, out var index) ?? new QueryValues(http).Problem()) is { } bad)
        {
            return bad;
        }
        var view = await api.Client.GetGrain<IHostTargetGrain>(GrainKeys.Target(GrainKeys.Step(id, index), host)).GetAsync();
        return view is null ? Problems.NotFound($"No target '{host}' in step {index} of '{id}'.") : TypedResults.Ok(view);
    }

    /// <summary>
    /// A run's log: <c>run</c> (from 1) defaults to the latest; <c>from</c> (a chunk sequence, from 0) + <c>limit</c>
    /// read a range of chunks, <c>tail</c> the last chunks (not both); <c>format=text</c> answers plain text.
    /// </summary>
    private static async Task<Results<Ok<LogReply>, ContentHttpResult, ProblemHttpResult>> Log(string id, string step, string host, HttpContext http, ApiContext api, CancellationToken cancellationToken)
    {
        var query = new QueryValues(http);
        var run = query.Int("run", 1, int.MaxValue);
        var from = query.Whole("from", 0, long.MaxValue);
        var limit = query.Int("limit", 1, ApiLimits.MaxLogChunks);
        var tail = query.Int("tail", 1, ApiLimits.MaxLogChunks);
        var format = query.OneOf("format", "json", "text");
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
        var view = await client.GetGrain<IHostTargetGrain>(targetKey).GetAsync();
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
        var page = tail is { } t
            ? await client.Logs.TailAsync(stream, t, cancellationToken)
            : await client.Logs.ReadAsync(stream, from ?? 0, limit ?? 1000, cancellationToken);
        var attempt = view.Attempts.FirstOrDefault(a => a.Run == r);
        if (format == "text")
        {
            return TypedResults.Text(string.Concat(page.Chunks.Select(c => c.Text)), "text/plain");
        }
        return TypedResults.Ok(new LogReply(r, attempt?.LogChunks is { } total && page.NextSeq >= total, page.NextSeq, page.Truncated, page.StoredBytes,
            [.. page.Chunks.Select(c => new LogChunkReply(c.Seq, c.At, c.Channel, c.Text))]));
    }
}
