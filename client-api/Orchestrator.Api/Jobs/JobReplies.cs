using System.Text.Json.Serialization;
using Orchestrator.Api.Hosting;

namespace Orchestrator.Api.Jobs;

// The jobs API answers in Harbor's job service shape, built as JSON nodes (JobsApi.Stats.cs) so that its snake_case
// fields, and which of them are present, stay exactly what Harbor's clients read. These records describe those
// bodies in the OpenAPI document (the endpoints' Produces metadata); they are not what writes them.

/// <summary>A job's stats: <c>{"job": {...}}</c>.</summary>
public sealed record HarborJobReply(HarborJobStats Job);

/// <summary>
/// Harbor's JobStats: times are Unix seconds; <c>status</c> is Pending, Scheduled, Running, Success, Error, Stopped or Cancelled;
/// a periodic job lists its <c>executions</c> (task instance ids). Absent fields are not known for that kind of job.
/// </summary>
public sealed record HarborJobStats(
    string Id,
    string Status,
    string Name,
    string Kind,
    bool Unique,
    [property: JsonPropertyName("ref_link")] string RefLink,
    [property: JsonPropertyName("enqueue_time")] long EnqueueTime,
    [property: JsonPropertyName("update_time")] long UpdateTime,
    [property: JsonPropertyName("run_at")] long RunAt,
    [property: JsonPropertyName("die_at")] long? DieAt,
    [property: JsonPropertyName("cron_spec")] string? CronSpec,
    IReadOnlyDictionary<string, string>? Parameters,
    long? Revision,
    [property: JsonPropertyName("multiple_executions")] bool MultipleExecutions,
    IReadOnlyList<string>? Executions,
    [property: JsonPropertyName("check_in")] string? CheckIn,
    [property: JsonPropertyName("check_in_at")] long? CheckInAt,
    [property: JsonPropertyName("hook_status")] string? HookStatus,
    [property: JsonPropertyName("upstream_job_id")] string? UpstreamJobId);

/// <summary>A worker pool of <c>GET /api/v1/stats</c>: one per silo, with the job names it runs.</summary>
public sealed record HarborWorkerPool(
    [property: JsonPropertyName("worker_pool_id")] string WorkerPoolId,
    [property: JsonPropertyName("started_at")] long StartedAt,
    [property: JsonPropertyName("heartbeat_at")] long HeartbeatAt,
    [property: JsonPropertyName("job_names")] IReadOnlyList<string> JobNames,
    int Concurrency,
    string Status);

/// <summary>A job to submit: <c>{"job": {"name", "parameters", "status_hook", "metadata": {...}}}</c> (docs/jobs-api.md).</summary>
public sealed record HarborJobRequest(HarborJobDefinition Job);

/// <summary>The job: a built-in kind (<c>script</c>, <c>http</c>) or a stored plan's id, its parameters, its hook and metadata.</summary>
public sealed record HarborJobDefinition(string Name, IReadOnlyDictionary<string, object>? Parameters, [property: JsonPropertyName("status_hook")] string? StatusHook,
    HarborJobMetadata Metadata);

/// <summary>Generic, Scheduled (with <c>schedule_delay</c> in seconds) or Periodic (with <c>cron_spec</c>); <c>unique</c> refuses a duplicate.</summary>
public sealed record HarborJobMetadata(string Kind, [property: JsonPropertyName("schedule_delay")] long? ScheduleDelay,
    [property: JsonPropertyName("cron_spec")] string? CronSpec, bool? Unique);

/// <summary>A job action: <c>{"action": "stop" | "cancel" | "retry"}</c>.</summary>
public sealed record HarborJobAction(string Action);

internal static class JobDescriptions
{
    public static readonly DescribedBody Submit = new(typeof(HarborJobRequest), true, "Harbor's job request (any Content-Type is read as JSON).", ["application/json"],
        """{"job": {"name": "script", "parameters": {"hosts": "web-1", "script": "uptime"}, "metadata": {"kind": "Generic", "unique": false}}}""");

    public static readonly DescribedBody Act = new(typeof(HarborJobAction), true, "The action.", ["application/json"], """{"action": "stop"}""");
}
