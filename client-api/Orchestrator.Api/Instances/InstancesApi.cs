using Orchestrator.Api.Common;
using Orchestrator.GrainInterfaces;
using Orchestrator.Runtime.Client;
using Orchestrator.Runtime.Indexes;

namespace Orchestrator.Api.Instances;

/// <summary>/api/v1/task-instances: read runs with per-step counts, list targets by status, read logs, and control.</summary>
public static partial class InstancesApi
{
    public static RouteGroupBuilder MapInstancesApi(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/api/v1/task-instances").WithTags("Task instances").AddEndpointFilter(ApiContext.RequireClient);
        group.MapGet("/", List);
        group.MapGet("/{id}", Get);
        group.MapGet("/{id}/steps/{step:int}/targets", Targets);
        group.MapGet("/{id}/steps/{step:int}/targets/{host}", Target);
        group.MapGet("/{id}/steps/{step:int}/targets/{host}/log", Log);
        group.MapPost("/{id}/cancel", Cancel);
        group.MapDelete("/{id}", Delete);
        group.MapPost("/{id}/steps/{step:int}/{action}", StepAction);
        return group;
    }

    private static async Task<IResult> List(string? status, string? after, int? limit, ApiContext api, CancellationToken cancellationToken)
    {
        var client = api.Client;
        int[]? statuses = null;
        if (status is not null)
        {
            if (!Enum.TryParse<ExecutionStatus>(status, ignoreCase: true, out var s))
            {
                return Problems.Field("status", $"'{status}' is not a status; use one of {string.Join(", ", Enum.GetNames<ExecutionStatus>())}.");
            }
            statuses = [(int)s];
        }
        var size = api.PageSize(limit);
        var rows = await client.Indexes.QueryAsync(new IndexQuery(IndexKinds.Instance, [""]) { Statuses = statuses, AfterKey = after, Limit = size }, cancellationToken);
        var items = rows.Select(r => new { id = r.Key, instance = IndexJson.Parse<InstanceIndexData>(r.Data!) }).ToList();
        return TypedResults.Ok(new { items, next = items.Count == size ? items[^1].id : null });
    }

    private static async Task<IResult> Get(string id, ApiContext api, CancellationToken cancellationToken)
    {
        var client = api.Client;
        var view = await client.GetGrain<ITaskInstanceGrain>(id).GetAsync();
        if (view is null)
        {
            return Problems.NotFound($"No task instance '{id}'.");
        }
        var steps = new List<object>();
        foreach (var step in view.Steps)
        {
            var counts = await client.Indexes.CountByStatusAsync(IndexKinds.Target, GrainKeys.Step(id, step.Index), cancellationToken);
            steps.Add(new
            {
                step.Index,
                step.Name,
                step.Kind,
                step.Status,
                step.Attempt,
                step.Reason,
                step.Outputs,
                targets = counts.ToDictionary(c => JsonName((TargetStatus)c.Key), c => c.Value),
            });
        }
        var deadLetters = await InstanceDeadLetters.ListAsync(client, id, cancellationToken);
        return TypedResults.Ok(new
        {
            view.Id,
            view.PlanId,
            view.PlanVersion,
            view.PlanName,
            view.Status,
            view.CurrentStep,
            view.Parameters,
            view.CreatedAt,
            view.StartedAt,
            view.FinishedAt,
            view.NotBefore,
            view.Schedule,
            view.DueTime,
            labels = view.Labels.Count > 0 ? view.Labels : null,
            view.Revision,
            view.Reason,
            view.By,
            steps,
            actions = view.Actions,
            deadLetters = deadLetters.Count > 0 ? deadLetters : null,
        });
    }

    private static async Task<IResult> Targets(string id, int step, string? status, string? after, int? limit, ApiContext api, CancellationToken cancellationToken)
    {
        var client = api.Client;
        int[]? statuses = null;
        if (status is not null)
        {
            var parsed = new List<int>();
            foreach (var part in status.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            {
                if (!Enum.TryParse<TargetStatus>(part, ignoreCase: true, out var s))
                {
                    return Problems.Field("status", $"'{part}' is not a target status; use one of {string.Join(", ", Enum.GetNames<TargetStatus>())}.");
                }
                parsed.Add((int)s);
            }
            statuses = [.. parsed];
        }
        var size = api.PageSize(limit);
        var rows = await client.Indexes.QueryAsync(new IndexQuery(IndexKinds.Target, [GrainKeys.Step(id, step)]) { Statuses = statuses, AfterKey = after, Limit = size }, cancellationToken);
        var items = rows.Select(r => new { host = r.Key, target = IndexJson.Parse<TargetIndexData>(r.Data!) }).ToList();
        return TypedResults.Ok(new { items, next = items.Count == size ? items[^1].host : null });
    }

    private static async Task<IResult> Target(string id, int step, string host, ApiContext api, CancellationToken cancellationToken)
    {
        var client = api.Client;
        var view = await client.GetGrain<IHostTargetGrain>(GrainKeys.Target(GrainKeys.Step(id, step), host)).GetAsync();
        return view is null ? Problems.NotFound($"No target '{host}' in step {step} of '{id}'.") : TypedResults.Ok(view);
    }

    /// <summary>
    /// A run's log: <c>run</c> defaults to the latest; <c>from</c> + <c>limit</c> read a range of chunks, <c>tail</c>
    /// the last chunks. <c>format=text</c> answers plain text.
    /// </summary>
    private static async Task<IResult> Log(string id, int step, string host, int? run, long? from, int? limit, int? tail, string? format, ApiContext api, CancellationToken cancellationToken)
    {
        var client = api.Client;
        var targetKey = GrainKeys.Target(GrainKeys.Step(id, step), host);
        var view = await client.GetGrain<IHostTargetGrain>(targetKey).GetAsync();
        if (view is null)
        {
            return Problems.NotFound($"No target '{host}' in step {step} of '{id}'.");
        }
        var r = run ?? view.Run;
        if (r < 1 || r > view.Run)
        {
            return Problems.Field("run", $"Run {r} does not exist; this target has runs 1 to {view.Run}.");
        }
        var stream = GrainKeys.LogStream(targetKey, r);
        var page = tail is { } t
            ? await client.Logs.TailAsync(stream, Math.Clamp(t, 1, 10_000), cancellationToken)
            : await client.Logs.ReadAsync(stream, Math.Max(0, from ?? 0), Math.Clamp(limit ?? 1000, 1, 10_000), cancellationToken);
        var attempt = view.Attempts.FirstOrDefault(a => a.Run == r);
        if (format == "text")
        {
            return TypedResults.Text(string.Concat(page.Chunks.Select(c => c.Text)), "text/plain");
        }
        return TypedResults.Ok(new
        {
            run = r,
            complete = attempt?.LogChunks is { } total && page.NextSeq >= total,
            page.NextSeq,
            page.Truncated,
            page.StoredBytes,
            chunks = page.Chunks.Select(c => new { c.Seq, c.At, stream = c.Channel, c.Text }),
        });
    }

    private static string JsonName(TargetStatus status)
    {
        var name = status.ToString();
        return char.ToLowerInvariant(name[0]) + name[1..];
    }

    internal static ITaskInstanceGrain Instance(ClusterClient client, string id) => client.GetGrain<ITaskInstanceGrain>(id);
}
