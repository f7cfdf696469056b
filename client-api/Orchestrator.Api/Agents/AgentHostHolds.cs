using System.Collections.Concurrent;
using Orchestrator.Api.Common;
using Orchestrator.GrainInterfaces;
using Orchestrator.Runtime.Indexes;

namespace Orchestrator.Api.Agents;

/// <summary>How a host stands towards the agent session calling for it.</summary>
public enum HostHold
{
    /// <summary>The host is registered by this session: the call may act for it.</summary>
    Held,

    /// <summary>No session holds it (offline, removed, revoked or never registered): the agent must register again.</summary>
    Released,

    /// <summary>Another session registered it since (a second agent, or a restart under a new session id).</summary>
    Elsewhere,
}

/// <summary>
/// An agent credential is issued to one session (<see cref="AgentCredentials"/>), and a session acts only for the
/// hosts it registered: the host index row names the session that holds each host, written in the same transaction
/// as the host's registration. Without this, any agent's credential could take another host's assignments (and the
/// secrets in them), finish its runs or write into its logs, and two agents answering for one host would both run its
/// work. <see cref="ReadAsync"/> reads the index rows (one query per call, whatever the number of hosts), so what it
/// decides holds from the old session's next call; it guards handing out an assignment and taking a report.
/// <see cref="RecentHolds"/> answers the cheaper question a fleet's heartbeats and poll starts ask.
/// </summary>
public static class AgentHostHolds
{
    /// <summary>How <paramref name="row"/> (the host's index row, null when there is none) stands towards <paramref name="session"/>.</summary>
    public static HostHold Classify(string session, IndexRow? row)
    {
        ArgumentNullException.ThrowIfNull(session);
        if (row?.Data is not { } data || IndexJson.Parse<HostIndexData>(data).SessionId is not { } holder)
        {
            return HostHold.Released;
        }
        return string.Equals(holder, session, StringComparison.Ordinal) ? HostHold.Held : HostHold.Elsewhere;
    }

    /// <summary>Each distinct host of <paramref name="hosts"/> with how it stands towards <paramref name="session"/>.</summary>
    public static async Task<Dictionary<string, HostHold>> ReadAsync(IIndexReader indexes, string session, IEnumerable<string> hosts, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(indexes);
        ArgumentNullException.ThrowIfNull(hosts);
        var names = hosts.ToHashSet(StringComparer.Ordinal);
        var rows = names.Count == 0 ? [] : await indexes.GetAsync(IndexKinds.Host, "", names, cancellationToken).ConfigureAwait(false);
        var byHost = rows.ToDictionary(r => r.Key, StringComparer.Ordinal);
        return names.ToDictionary(h => h, h => Classify(session, byHost.GetValueOrDefault(h)), StringComparer.Ordinal);
    }

    /// <summary>
    /// The host an assignment id is for, or null for a file distribution's source target (<c>@src…</c>), whose host
    /// the id does not name (those events are checked by the session alone).
    /// </summary>
    public static string? HostOf(string targetKey)
    {
        ArgumentNullException.ThrowIfNull(targetKey);
        var (_, name) = GrainKeys.SplitTarget(targetKey);
        return name.Length == 0 || name.StartsWith("@src", StringComparison.Ordinal) ? null : name;
    }

    /// <summary>
    /// 410 Gone for hosts no session holds: the agent registers again (same session id) and repeats the call, as it
    /// does when the server lost its session (docs/agent-protocol.md).
    /// </summary>
    public static ProblemHttpResult Released(IEnumerable<string> hosts) => TypedResults.Problem(
        title: "Not registered.",
        detail: $"Host(s) {AgentIds.HostList(hosts.Take(10))} are not registered by this agent session (they went offline, were removed or were never registered); register again, then repeat the call.",
        statusCode: StatusCodes.Status410Gone);

    /// <summary>
    /// 409 when every host a call names is held by another session: the agent logs it and retries later, and neither
    /// registers again (which would take the hosts back, and the other agent would take them back in turn) nor counts it
    /// as the server being out of reach (a 401 or 403 would, and re-register after a heartbeat interval).
    /// </summary>
    public static ProblemHttpResult Elsewhere(IEnumerable<string> hosts) => TypedResults.Problem(
        title: "Held by another session.",
        detail: $"Host(s) {AgentIds.HostList(hosts.Take(10))} are registered by another agent session now; this session no longer answers for them.",
        statusCode: StatusCodes.Status409Conflict);

    /// <summary>The reason an event or chunk of a host held by another session is refused.</summary>
    public static string ElsewhereReason(string host) =>
        $"host '{AgentIds.Shown(host)}' is registered by another agent session now; this session no longer reports for it.";
}

/// <summary>
/// Which hosts a session was seen holding in the last <see cref="Fresh"/>, so a fleet agent's heartbeats, poll starts and
/// report batches (thousands of hosts, many calls a second during a fan-out) do not read every host's row each time.
/// Only a confirmed hold is remembered, and a registration through this process forgets its hosts at once; one through
/// another API process reaches this one within <see cref="Fresh"/>. That window only lets a session that did hold the
/// host keep reporting for it briefly (its runs there were ended when the new session registered); an assignment is
/// handed out only after an exact read (<see cref="AgentHostHolds.ReadAsync"/>), so no work goes to the old session.
/// A cache lifetime, not domain time: measured on the process's clock.
/// </summary>
public sealed class RecentHolds
{
    public static readonly TimeSpan Fresh = TimeSpan.FromSeconds(10);

    private readonly ConcurrentDictionary<string, (string Session, long At)> _seen = new(StringComparer.Ordinal);

    /// <summary>Forgets what was seen of <paramref name="hosts"/>: a registration changed who holds them.</summary>
    public void Forget(IEnumerable<string> hosts)
    {
        ArgumentNullException.ThrowIfNull(hosts);
        foreach (var host in hosts)
        {
            _seen.TryRemove(host, out _);
        }
    }

    /// <summary>As <see cref="AgentHostHolds.ReadAsync"/>, reading only the hosts not seen held by <paramref name="session"/> lately.</summary>
    public async Task<Dictionary<string, HostHold>> ReadAsync(IIndexReader indexes, string session, IEnumerable<string> hosts, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(hosts);
        var now = Environment.TickCount64;
        var result = new Dictionary<string, HostHold>(StringComparer.Ordinal);
        var unknown = new List<string>();
        foreach (var host in hosts.Distinct(StringComparer.Ordinal))
        {
            if (_seen.TryGetValue(host, out var seen) && seen.Session == session && now - seen.At < (long)Fresh.TotalMilliseconds)
            {
                result[host] = HostHold.Held;
            }
            else
            {
                unknown.Add(host);
            }
        }
        if (unknown.Count > 0)
        {
            foreach (var (host, hold) in await AgentHostHolds.ReadAsync(indexes, session, unknown, cancellationToken).ConfigureAwait(false))
            {
                result[host] = hold;
                if (hold == HostHold.Held)
                {
                    _seen[host] = (session, now);
                }
                else
                {
                    _seen.TryRemove(host, out _);
                }
            }
        }
        return result;
    }
}
