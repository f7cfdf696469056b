using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace Orchestrator.Api.Hosting;

/// <summary>
/// Each operation's id, summary and query parameters, in one table like <see cref="Identity.EndpointRoles"/>.
/// Handlers read their query strings themselves (<see cref="Common.QueryValues"/>: strict, every parameter checked and
/// an unknown one refused), so their signatures cannot say which they take; this says it. An operation missing here
/// is found by the document test (every operation has a summary).
/// </summary>
internal static class OpenApiOperations
{
    private const string Limit = "limit:integer:Items per page, 1 to 1,000 (default 100).";
    private const string After = "after:string:The `next` of the previous page, unchanged.";
    private const string PlanNamespace = "namespace:string:The plan's namespace when the document names none (default `default`); a plan never moves to another.";
    private const string DryRun = "dryRun:string:`true`: check everything (the document, its namespace, the caller's rights) and save nothing; 200 with what would be saved.";
    private const string InNamespace = "namespace:string:Only this namespace (default: every namespace the caller may read; one it may not read lists nothing).";

    private static readonly string[] InstanceListQuery =
    [
        "status:string:Only instances of this status (pending, running, waitingForApproval, paused, stopping, succeeded, failed, stopped, cancelled, skipped).",
        InNamespace, "plan:string:Only runs of this plan id.", "by:string:Only runs this principal started.",
        "from:string:Created at or after this instant (ISO 8601).", "to:string:Created before this instant (ISO 8601).", After, Limit,
    ];

    private static readonly string[] HostListQuery = ["selector:string:A label selector (`role=web,zone in (a,b)`).", InNamespace, After, Limit];

    private static readonly Dictionary<string, (string Id, string Summary, string[] Query)> Table = new(StringComparer.Ordinal)
    {
        ["GET /healthz"] = ("health", "Liveness: the process answers.", []),
        ["GET /readyz"] = ("ready", "Readiness: the silo is active in the cluster.", []),
        ["POST /api/v1/plans"] = ("createPlan", "Create a plan (409 if the id exists; without id one is generated).",
            ["id:string:The new plan's id (1 to 128 of letters, digits, `-_.`, the first a letter or digit).", PlanNamespace, DryRun]),
        ["GET /api/v1/plans"] = ("listPlans", "List plans.", [InNamespace, After, Limit]),
        ["GET /api/v1/events/plans"] = ("watchPlans", "Follow a page of the plan list as server-sent events (a `page` event whenever it changed).", [InNamespace, After, Limit]),
        ["GET /api/v1/plans/{id}/versions"] = ("listPlanVersions", "List a plan's versions, newest first, with when and by whom each was saved.", []),
        ["GET /api/v1/plans/{id}/events"] = ("watchPlan", "Follow a plan's versions as server-sent events (a `versions` event whenever one was saved).", []),
        ["PUT /api/v1/plans/{id}"] = ("putPlan", "Create or update a plan: a new version (If-Match makes it conditional).", [PlanNamespace, DryRun]),
        ["GET /api/v1/plans/{id}"] = ("getPlan", "Read a plan version with its definition.",
            ["version:integer:The version (default the latest).", "format:string:`json` (default) or `yaml`."]),
        ["POST /api/v1/plans/{id}/run"] = ("runPlan", "Run a plan: starts a task instance (now, at a time, or after a delay).", []),
        ["PUT /api/v1/plans/{planId}/schedules/{name}"] = ("putSchedule", "Create or replace a cron schedule of a plan.", []),
        ["GET /api/v1/plans/{planId}/schedules/{name}"] = ("getSchedule", "Read a schedule with its runs, skipped fires and next fire times.",
            ["preview:integer:How many next fire times to show, 0 to 1,000 (default 5)."]),
        ["GET /api/v1/plans/{planId}/schedules/{name}/events"] = ("watchSchedule", "Follow a schedule as server-sent events (a `schedule` event whenever it changed, `gone` once deleted).",
            ["preview:integer:How many next fire times to show, 0 to 1,000 (default 5)."]),
        ["DELETE /api/v1/plans/{planId}/schedules/{name}"] = ("deleteSchedule", "Delete a schedule.", []),
        ["GET /api/v1/plans/{planId}/schedules"] = ("listPlanSchedules", "List a plan's schedules.", [After, Limit]),
        ["POST /api/v1/plans/{planId}/schedules/{name}/suspend"] = ("suspendSchedule", "Suspend a schedule: its fires are skipped.", []),
        ["POST /api/v1/plans/{planId}/schedules/{name}/resume"] = ("resumeSchedule", "Resume a suspended schedule.", []),
        ["POST /api/v1/plans/{planId}/schedules/{name}/run"] = ("runScheduleNow", "Run a schedule now, outside its fires.", []),
        ["GET /api/v1/plans/{planId}/schedules/{name}/preview"] = ("previewSchedule", "The next fire times of a schedule.",
            ["count:integer:How many, 1 to 1,000 (default 10).", "from:string:After this time (RFC 3339; default now)."]),
        ["GET /api/v1/schedules"] = ("listSchedules", "List every schedule.", [InNamespace, After, Limit]),
        ["GET /api/v1/events/schedules"] = ("watchSchedules", "Follow a page of the schedule list as server-sent events (a `page` event whenever it changed).", [InNamespace, After, Limit]),
        ["POST /api/v1/schedules/preview"] = ("previewCron", "The next fire times of a cron expression, without saving it.", []),
        ["GET /api/v1/task-instances"] = ("listInstances", "List task instances, newest first.", InstanceListQuery),
        ["GET /api/v1/events/task-instances"] = ("watchInstances", "Follow a page of the task instance list as server-sent events (a `page` event whenever it changed).", InstanceListQuery),
        ["GET /api/v1/task-instances/{id}/events"] = ("watchInstance", "Follow a task instance as server-sent events until it is final.", []),
        ["GET /api/v1/namespaces"] = ("listNamespaces", "The namespaces the caller may read, with its roles in each.", []),
        ["GET /api/v1/me"] = ("me", "The caller: principal, how it authenticated, roles per namespace.", []),
        ["GET /api/v1/retention"] = ("getRetention", "Retention: settings, the next pass, the pass running and the last passes.", []),
        ["GET /api/v1/task-instances/{id}"] = ("getInstance", "Read a task instance: status, reason, steps with target counts, actions, parked messages.", []),
        ["DELETE /api/v1/task-instances/{id}"] = ("deleteInstance", "Delete a finished task instance with its targets and logs.",
            ["reason:string:Why (recorded with the action)."]),
        ["GET /api/v1/task-instances/{id}/steps/{step}/targets"] = ("listTargets", "List a step's host targets, in host order (either way) or by status.",
            ["sort:string:`name` (default: host name ascending), `-name` (descending), `status` or `-status` (by target status number, ascending or descending: `-status` puts failures first; host name ascending within a status).",
             "status:string:Only targets of these statuses, comma-separated (failed,timedOut).",
             "group:string:Only the hosts of this output group (a `key` of the step's groups).",
             "prefix:string:Only hosts whose name starts with this.", After, Limit]),
        ["GET /api/v1/task-instances/{id}/steps/{step}/groups"] = ("listTargetGroups", "A step's hosts grouped by identical output, exit code and status, largest first.", []),
        ["GET /api/v1/task-instances/{id}/steps/{step}/targets/{host}"] = ("getTarget",
            "Read a target: status, runs, progress, outputs; a container step's target (its `host` is a cluster) also its Job and pods.", []),
        ["GET /api/v1/task-instances/{id}/steps/{step}/targets/{host}/log"] = ("getTargetLog", "Read a run's log: a range of chunks or the last ones.",
            [
                "run:integer:The run, from 1 (default the latest).", "from:integer:The first chunk's sequence number (default 0).",
                "limit:integer:Chunks, 1 to 10,000 (default 1,000).", "tail:integer:The last this many chunks, 1 to 10,000 (not with from or limit).",
                "format:string:`json` (default) or `text`.",
                "pod:string:A container target's pod whose log to read (default the run's first pod); each pod's lines are a log of their own.",
            ]),
        ["POST /api/v1/task-instances/{id}/cancel"] = ("cancelInstance", "Cancel a task instance: targets not started never start, running scripts are killed.", []),
        ["POST /api/v1/task-instances/{id}/steps/{step}/{action}"] = ("stepAction",
            "Act on a step: `skip`, `continue` (a paused rollout), `approve` or `reject` (an approval), `retry` (a finished step).", []),
        ["GET /api/v1/hosts"] = ("listHosts", "List the hosts agents registered, with what each runs.", HostListQuery),
        ["GET /api/v1/events/hosts"] = ("watchHosts", "Follow a page of the host list as server-sent events (a `page` event whenever it changed).", HostListQuery),
        ["GET /api/v1/hosts/{host}"] = ("getHost", "Read a host: status, operation, labels, capacity, session, last seen.", []),
        ["GET /api/v1/hooks/parked"] = ("listParkedHookEvents", "List parked status hook events of every run.", [After, Limit]),
        ["GET /api/v1/task-instances/{id}/hook"] = ("getInstanceHook", "Where a run's status hook events stand.", []),
        ["POST /api/v1/task-instances/{id}/hook/replay"] = ("replayInstanceHook", "Queue a run's parked status hook events again.", []),
        ["POST /api/v1/files"] = ("uploadFile", "Upload a file for file distribution steps; it is named by its SHA-256.",
            ["namespace:string:The namespace whose plans may use it (default `default`; needs operator there)."]),
        ["GET /api/v1/files/{sha256}"] = ("downloadFile", "Download a file.", []),
        ["POST /api/v1/tokens"] = ("createToken", "Create an API token; the reply holds its text, the only time it is shown.", []),
        ["GET /api/v1/tokens"] = ("listTokens", "List API tokens (never their secret).", ["state:string:`active` or `revoked`.", After, Limit]),
        ["GET /api/v1/tokens/{id}"] = ("getToken", "Read an API token (never its secret).", []),
        ["GET /api/v1/clusters"] = ("listClusters", "List the registered Kubernetes clusters container steps run on.", [After, Limit]),
        ["GET /api/v1/clusters/{name}"] = ("getCluster", "Read a registered cluster: API server, namespace, labels, capacity, credential references.", []),
        ["PUT /api/v1/clusters/{name}"] = ("putCluster", "Register or replace a Kubernetes cluster (admin on every namespace); credentials by file reference only.", []),
        ["DELETE /api/v1/clusters/{name}"] = ("deleteCluster", "Forget a registered cluster (admin on every namespace).", []),
        ["POST /api/v1/tokens/{id}/revoke"] = ("revokeToken", "Revoke an API token: refused from the next request on.", []),
        ["POST /api/v1/hosts/{host}/revoke"] = ("revokeHost", "Revoke a host's agent: refused from its next call, and may not register the host.", []),
        ["POST /api/v1/hosts/{host}/restore"] = ("restoreHost", "Restore a revoked host.", []),
        ["POST /api/v1/hosts/{host}/pause"] = ("pauseHost", "Pause a host: it is handed no new work until resumed; what runs on it goes on.", []),
        ["POST /api/v1/hosts/{host}/resume"] = ("resumeHost", "Resume a paused or draining host: it takes new work again.", []),
        ["POST /api/v1/hosts/{host}/drain"] = ("drainHost", "Drain a host: no new work, and operation 'drained' once nothing runs on it (safe to stop).", []),
        ["GET /api/v1/dead-letters"] = ("listDeadLetters", "List parked messages, oldest first.",
            ["after:integer:The last message id of the previous page.", Limit]),
        ["POST /api/v1/dead-letters/{id}/replay"] = ("replayDeadLetter", "Deliver a parked message again and remove it.", []),
        ["GET /api/v1/audit"] = ("queryAudit", "Read the audit log, newest first.",
            [
                "who:string:Exactly this principal.", "object:string:`kind` or `kind:id` (`instance:ti-1` also matches its step actions).",
                "action:string:Exactly this action (`instance.cancel`).", "from:string:From this time, inclusive (RFC 3339).",
                "to:string:Up to this time, exclusive (RFC 3339).", Limit, "after:string:The `next` of the previous page.",
            ]),
        ["POST /api/v1/jobs"] = ("submitJob", "Harbor: submit a job (Generic, Scheduled or Periodic).", []),
        ["GET /api/v1/jobs/{id}"] = ("getJob", "Harbor: a job's stats.", []),
        ["POST /api/v1/jobs/{id}"] = ("actOnJob", "Harbor: stop, cancel or retry a job.", []),
        ["GET /api/v1/jobs/{id}/log"] = ("getJobLog", "Harbor: a job's log as text.", []),
        ["GET /api/v1/stats"] = ("getWorkerPools", "Harbor: the worker pools (one per silo).", []),
        ["POST /api/v1/agent/register"] = ("registerAgent", "Agent: register hosts; answers the agent's credential.", []),
        ["POST /api/v1/agent/heartbeat"] = ("agentHeartbeat", "Agent: heartbeat for its hosts.", []),
        ["POST /api/v1/agent/poll"] = ("agentPoll", "Agent: long-poll for assignments and cancellations.", []),
        ["POST /api/v1/agent/events"] = ("agentEvents", "Agent: report assignment events.", []),
        ["POST /api/v1/agent/logs"] = ("agentLogs", "Agent: send log chunks.", []),
        ["GET /api/v1/agent/files/{sha256}"] = ("agentDownloadFile", "Agent: download a file to distribute.", []),
        ["PUT /api/v1/agent/files"] = ("agentUploadFile", "Agent: upload a host's file (a file distribution's source).", []),
    };

    public static Task DescribeAsync(OpenApiOperation operation, OpenApiOperationTransformerContext context, CancellationToken cancellationToken)
    {
        var key = $"{context.Description.HttpMethod} /{context.Description.RelativePath?.TrimEnd('/')}"; // a group's "/" leaves a trailing slash
        if (!Table.TryGetValue(key, out var entry))
        {
            return Task.CompletedTask;
        }
        operation.OperationId = entry.Id;
        operation.Summary = entry.Summary;
        foreach (var spec in entry.Query)
        {
            var parts = spec.Split(':', 3);
            operation.Parameters ??= [];
            operation.Parameters.Add(new OpenApiParameter
            {
                Name = parts[0],
                In = ParameterLocation.Query,
                Description = parts[2],
                Schema = new OpenApiSchema { Type = parts[1] == "integer" ? JsonSchemaType.Integer : JsonSchemaType.String },
            });
        }
        return Task.CompletedTask;
    }
}
