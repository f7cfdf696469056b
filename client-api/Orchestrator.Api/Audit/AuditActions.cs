namespace Orchestrator.Api.Audit;

/// <summary>What an audited request is about: its action, and the kind and id of its object (null when the route names none).</summary>
public sealed record AuditSubject(string Action, string? ObjectKind, string? ObjectId);

/// <summary>
/// Names each state-changing endpoint's action and object from its route pattern and method, e.g.
/// <c>POST /api/v1/task-instances/{id}/cancel</c> → <c>instance.cancel</c> on <c>instance</c> <c>{id}</c>. The
/// names are a contract of the audit log (operators filter on them), so they are listed here, not derived from paths
/// that may be renamed; an endpoint missing from the list still gets audited under a name made from its route
/// (<c>foo.bar.put</c>), and a test fails until it is listed.
/// </summary>
public static class AuditActions
{
    /// <summary>Methods that change state; requests with any other method are never audited.</summary>
    public static bool Changes(string method) =>
        HttpMethods.IsPost(method) || HttpMethods.IsPut(method) || HttpMethods.IsPatch(method) || HttpMethods.IsDelete(method);

    /// <summary>The step actions the API takes (any other word is audited as <c>instance.step.unknown</c>).</summary>
    private static readonly HashSet<string> StepActions = new(StringComparer.Ordinal) { "skip", "continue", "approve", "reject", "retry" };

    private static readonly Dictionary<(string Method, string Route), Func<RouteValueDictionary, HttpResponse, AuditSubject>> Table = new()
    {
        [("POST", "/api/v1/plans")] = (_, r) => new("plan.create", "plan", FromLocation(r)),
        [("PUT", "/api/v1/plans/{id}")] = (v, _) => new("plan.put", "plan", Value(v, "id")),
        [("POST", "/api/v1/plans/{id}/run")] = (v, _) => new("plan.run", "plan", Value(v, "id")),
        [("PUT", "/api/v1/plans/{planId}/schedules/{name}")] = (v, _) => Schedule("put", v),
        [("DELETE", "/api/v1/plans/{planId}/schedules/{name}")] = (v, _) => Schedule("delete", v),
        [("POST", "/api/v1/plans/{planId}/schedules/{name}/suspend")] = (v, _) => Schedule("suspend", v),
        [("POST", "/api/v1/plans/{planId}/schedules/{name}/resume")] = (v, _) => Schedule("resume", v),
        [("POST", "/api/v1/plans/{planId}/schedules/{name}/run")] = (v, _) => Schedule("run", v),
        [("POST", "/api/v1/task-instances/{id}/cancel")] = (v, _) => new("instance.cancel", "instance", Value(v, "id")),
        [("DELETE", "/api/v1/task-instances/{id}")] = (v, _) => new("instance.delete", "instance", Value(v, "id")),
        [("POST", "/api/v1/task-instances/{id}/steps/{step}/{action}")] = (v, _) => new(
            "instance.step." + (Value(v, "action") is { } a && StepActions.Contains(a) ? a : "unknown"), "instance", $"{Value(v, "id")}/steps/{Value(v, "step")}"),
        [("POST", "/api/v1/task-instances/{id}/hook/replay")] = (v, _) => new("instance.hook.replay", "instance", Value(v, "id")),
        [("POST", "/api/v1/files")] = (_, r) => new("file.upload", "file", FromLocation(r)),
        [("POST", "/api/v1/dead-letters/{id}/replay")] = (v, _) => new("dead-letter.replay", "dead-letter", Value(v, "id")),
        [("POST", "/api/v1/jobs")] = (_, _) => new("job.submit", "job", null),
        [("POST", "/api/v1/jobs/{id}")] = (v, _) => new("job.act", "job", Value(v, "id")),
        [("POST", "/api/v1/agent/register")] = (_, _) => new("agent.register", "host", null),
        [("POST", "/api/v1/tokens")] = (_, r) => new("token.create", "token", FromLocation(r)),
        [("POST", "/api/v1/tokens/{id}/revoke")] = (v, _) => new("token.revoke", "token", Value(v, "id")),
        [("POST", "/api/v1/hosts/{host}/revoke")] = (v, _) => new("host.revoke", "host", Value(v, "host")),
        [("POST", "/api/v1/hosts/{host}/restore")] = (v, _) => new("host.restore", "host", Value(v, "host")),
        [("POST", "/api/v1/hosts/{host}/pause")] = (v, _) => new("host.pause", "host", Value(v, "host")),
        [("POST", "/api/v1/hosts/{host}/resume")] = (v, _) => new("host.resume", "host", Value(v, "host")),
        [("POST", "/api/v1/hosts/{host}/drain")] = (v, _) => new("host.drain", "host", Value(v, "host")),
        [("PUT", "/api/v1/clusters/{name}")] = (v, _) => new("cluster.put", "cluster", Value(v, "name")),
        [("DELETE", "/api/v1/clusters/{name}")] = (v, _) => new("cluster.delete", "cluster", Value(v, "name")),
    };

    /// <summary>State-changing routes that change nothing (a preview computed from the body): never audited.</summary>
    private static readonly HashSet<(string Method, string Route)> Reads = [("POST", "/api/v1/schedules/preview")];

    /// <summary>The routes this class names (for the test that every state-changing endpoint is listed).</summary>
    public static IEnumerable<(string Method, string Route)> Named => Table.Keys.Concat(Reads);

    /// <summary>
    /// Whether a request to <paramref name="path"/> is audited at all: a state-changing method on the REST API or the
    /// jobs API, but not the agents' data plane (poll, events, logs, heartbeat, file upload): only their registration.
    /// </summary>
    public static bool IsAudited(string method, PathString path)
    {
        if (!Changes(method) || !path.StartsWithSegments("/api/v1", StringComparison.OrdinalIgnoreCase))
        {
            return false;
        }
        return !path.StartsWithSegments("/api/v1/agent", StringComparison.OrdinalIgnoreCase)
            || path.StartsWithSegments("/api/v1/agent/register", StringComparison.OrdinalIgnoreCase);
    }

    /// <summary>The endpoint's route pattern without a trailing slash, e.g. <c>/api/v1/plans/{id}</c>; null when no route matched.</summary>
    public static string? RouteOf(Endpoint? endpoint) =>
        (endpoint as RouteEndpoint)?.RoutePattern.RawText is { } raw ? "/" + raw.Trim('/') : null;

    /// <summary>
    /// What the request was about; null when it is not audited (a read made with POST). Without a route: <c>unmatched</c>
    /// (no endpoint takes the path or method: 404, 405), or <c>refused</c> (turned away before routing, e.g. a control
    /// character in the query or a bad <c>Idempotency-Key</c>).
    /// </summary>
    public static AuditSubject? Of(string method, string? route, RouteValueDictionary values, HttpResponse response)
    {
        ArgumentNullException.ThrowIfNull(method);
        ArgumentNullException.ThrowIfNull(response);
        if (route is null)
        {
            return new AuditSubject(response.StatusCode is 404 or 405 ? "unmatched" : "refused", null, null);
        }
        var key = (method.ToUpperInvariant(), route);
        if (Reads.Contains(key))
        {
            return null;
        }
        return Table.TryGetValue(key, out var name) ? name(values, response) : new AuditSubject(Derived(key.Item1, route), null, null);
    }

    /// <summary>A name for an endpoint not in the table: the route's fixed segments after <c>/api/v1</c>, then the method.</summary>
    private static string Derived(string method, string route)
    {
        var words = route.Split('/', StringSplitOptions.RemoveEmptyEntries).Skip(2).Where(s => !s.StartsWith('{'));
        return string.Join('.', words.Append(method.ToLowerInvariant()));
    }

    private static AuditSubject Schedule(string verb, RouteValueDictionary values) =>
        new("schedule." + verb, "schedule", $"{Value(values, "planId")}/{Value(values, "name")}");

    private static string? Value(RouteValueDictionary values, string name) => values.TryGetValue(name, out var v) ? v?.ToString() : null;

    /// <summary>A created object's id: the last segment of the reply's <c>Location</c> (none when refused).</summary>
    private static string? FromLocation(HttpResponse response)
    {
        var location = response.Headers.Location.ToString();
        var slash = location.LastIndexOf('/');
        return location.Length == 0 || slash == location.Length - 1 ? null : location[(slash + 1)..];
    }
}
