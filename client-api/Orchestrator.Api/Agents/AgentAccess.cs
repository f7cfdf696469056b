using Orchestrator.GrainInterfaces;
using Orchestrator.Runtime.Indexes;

namespace Orchestrator.Api.Agents;

/// <summary>
/// Who may call the agent gateway after registering: a credential this server issued (<see cref="AgentCredentials"/>),
/// whose session is not revoked, for hosts that are not revoked. The revocations are read once per call, as one small
/// query of <see cref="AgentRevocations"/> rows (never one lookup per host), so a 100,000-host fleet agent's poll costs
/// what a one-host agent's does; a revocation holds from the agent's next call.
/// </summary>
public static class AgentAccess
{
    private const string RevokedItem = "orch.agent.revoked";
    private const string ScopeItem = "orch.agent.scope";
    private const string SessionItem = "orch.agent.session";

    /// <summary>At most this many revocation rows are read; past it, the oldest sessions' rows would be missed (never in practice).</summary>
    private const int MaxRevocations = 100_000;

    public static async ValueTask<object?> RequireCredentialAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next, AgentCredentials credentials)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(next);
        ArgumentNullException.ThrowIfNull(credentials);
        var http = context.HttpContext;
        if (!credentials.TryVerify(Identity.Bearer.Of(http.Request), out var session, out var scope))
        {
            return Unauthorized(http,
                "A valid agent credential is required (Authorization: Bearer <credential>): register with the registration token to get one; the registration token itself is only for /register.");
        }
        var api = http.RequestServices.GetRequiredService<Common.ApiContext>();
        var revoked = await ReadRevokedAsync(api.Client.Indexes, http.RequestAborted).ConfigureAwait(false);
        if (revoked.Contains(AgentRevocations.SessionKey(session)))
        {
            return Unauthorized(http, "This agent's credential was revoked with one of its hosts by an admin.");
        }
        http.Items[RevokedItem] = revoked;
        http.Items[ScopeItem] = scope;
        http.Items[SessionItem] = session;
        return await next(context).ConfigureAwait(false);
    }

    /// <summary>The namespace the calling agent's credential is bound to (registered with that namespace's token); null: every namespace.</summary>
    public static string? ScopeOf(HttpContext http)
    {
        ArgumentNullException.ThrowIfNull(http);
        return http.Items[ScopeItem] as string;
    }

    /// <summary>
    /// A 403 when a call's body names another session than the one its credential was issued to (a credential speaks
    /// for its own session only); else null.
    /// </summary>
    public static ProblemHttpResult? RefuseOtherSession(HttpContext http, string bodySession)
    {
        ArgumentNullException.ThrowIfNull(http);
        if (http.Items[SessionItem] is string session && string.Equals(session, bodySession, StringComparison.Ordinal))
        {
            return null;
        }
        return TypedResults.Problem(title: "Forbidden.", statusCode: StatusCodes.Status403Forbidden,
            detail: $"The body's sessionId '{AgentIds.Shown(bodySession)}' is not the session this agent credential was issued to; a credential speaks for its own session only.");
    }

    /// <summary>The session the calling agent's credential was issued to.</summary>
    public static string SessionOf(HttpContext http)
    {
        ArgumentNullException.ThrowIfNull(http);
        return http.Items[SessionItem] as string ?? throw new InvalidOperationException("The agent credential filter did not run for this endpoint.");
    }

    /// <summary>The keys of every revocation row.</summary>
    public static async Task<HashSet<string>> ReadRevokedAsync(IIndexReader indexes, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(indexes);
        var rows = await indexes.QueryAsync(new IndexQuery(AgentRevocations.Kind, [""]) { KeysOnly = true, Limit = MaxRevocations }, cancellationToken)
            .ConfigureAwait(false);
        return rows.Select(r => r.Key).ToHashSet(StringComparer.Ordinal);
    }

    /// <summary>Which of <paramref name="hosts"/> are revoked.</summary>
    public static List<string> RevokedHosts(HashSet<string> revoked, IEnumerable<string> hosts)
    {
        ArgumentNullException.ThrowIfNull(revoked);
        return revoked.Count == 0 ? [] : [.. hosts.Where(h => revoked.Contains(AgentRevocations.HostKey(h)))];
    }

    /// <summary>A 401 when a call names a revoked host (read by <see cref="RequireCredentialAsync"/> for this request); else null.</summary>
    public static ProblemHttpResult? RefuseRevokedHosts(HttpContext http, IEnumerable<string> hosts)
    {
        ArgumentNullException.ThrowIfNull(http);
        if (http.Items[RevokedItem] is not HashSet<string> revoked || RevokedHosts(revoked, hosts) is not { Count: > 0 } refused)
        {
            return null;
        }
        return Unauthorized(http, $"Host(s) {string.Join(", ", refused.Take(10))} were revoked by an admin; this agent may no longer answer for them.");
    }

    public static ProblemHttpResult Unauthorized(HttpContext http, string detail)
    {
        ArgumentNullException.ThrowIfNull(http);
        http.Response.Headers.WWWAuthenticate = "Bearer realm=\"orchestrator-agents\"";
        return TypedResults.Problem(title: "Unauthorized.", detail: detail, statusCode: StatusCodes.Status401Unauthorized);
    }
}
