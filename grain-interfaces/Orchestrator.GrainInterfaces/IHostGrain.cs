using Orleans.Concurrency;

namespace Orchestrator.GrainInterfaces;

/// <summary>A host and its agent, key: host name. Online state, labels, capacity; notices a lost agent session.</summary>
public interface IHostGrain : IGrainWithStringKey
{
    /// <summary>A new agent session: targets the previous session had started are lost.</summary>
    Task Register(HostRegistration registration);

    /// <summary>The agent is alive (and draining or not). Not a turn: counted in memory, stored at the next liveness check.</summary>
    [Orchestrator.Runtime.Durable.OutsideTurn]
    Task Heartbeat(string sessionId, bool draining);

    /// <summary>
    /// Checks the host's liveness now (the silo's liveness monitor calls it once the host's checks have heard nothing
    /// long enough): two silent checks take it offline; anything heard since, or a check the clock jumped past, leaves it
    /// online. Not a turn unless it goes offline; harmless from any caller.
    /// </summary>
    [Orchestrator.Runtime.Durable.OutsideTurn]
    Task CheckLiveness();

    /// <summary>
    /// Refuses the host's agent from now on (an admin's decision): its session ends (open assignments end as lost), its
    /// session's credential is listed as revoked (<see cref="AgentRevocations"/>), and registering the host again is
    /// refused until <see cref="Restore"/>. Again: no change.
    /// </summary>
    Task Revoke(string by);

    /// <summary>Lets the host register again after <see cref="Revoke"/>. Not revoked: no change.</summary>
    Task Restore(string by);

    /// <summary>
    /// Pauses (<see cref="HostOperation.Paused"/>), drains (<see cref="HostOperation.Draining"/>) or resumes
    /// (<see cref="HostOperation.Active"/>) the host: a host that is not active is handed no new assignment by the agent
    /// gateway (they wait, dispatched, until it is resumed); what runs goes on. Durable; the same again: no change.
    /// </summary>
    Task SetOperation(HostOperation operation, string by);

    /// <summary>The host, with its operation (draining shown as drained once nothing runs on it); null if it never registered.</summary>
    [ReadOnly]
    Task<HostView?> GetAsync();
}

/// <summary>An agent's registration; <see cref="Namespace"/>: the namespace it registers the host in (null: <c>default</c>).</summary>
[GenerateSerializer]
public sealed record HostRegistration(string SessionId, IReadOnlyDictionary<string, string> Labels, int Capacity, string AgentVersion, string? Namespace = null);

/// <summary>
/// Revoked agents, as index rows the agent gateway reads on every call (one small query, whatever the fleet's size):
/// partition "", key <see cref="HostKey"/> (the host may not register) or <see cref="SessionKey"/> (the credential of
/// that agent session is refused), data the revocation's who and when as JSON.
/// </summary>
public static class AgentRevocations
{
    public const string Kind = "agentrevoked";

    public static string HostKey(string host) => "host:" + host;

    public static string SessionKey(string sessionId) => "session:" + sessionId;
}

/// <summary>
/// Hosts that take no new work, as index rows the agent gateway reads when it has new assignments to hand out (one
/// small query): partition "", key the host name, status its <see cref="HostOperation"/>. No row: active.
/// </summary>
public static class HostHolds
{
    public const string Kind = "hostheld";

    /// <summary>At most this many held hosts are read at once.</summary>
    public const int MaxRows = 100_000;

    /// <summary>Whether something runs on <paramref name="host"/>: an assignment its agent started (or is asked to cancel).</summary>
    public static async Task<bool> AnyRunningAsync(Orchestrator.Runtime.Indexes.IIndexReader indexes, string host, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(indexes);
        var rows = await indexes.QueryAsync(new Orchestrator.Runtime.Indexes.IndexQuery(IndexKinds.Assignment, [host])
        {
            Statuses = [(int)AssignmentState.Started, (int)AssignmentState.CancelRequested], Limit = 1, KeysOnly = true,
        }, cancellationToken).ConfigureAwait(false);
        return rows.Count > 0;
    }
}

/// <summary>
/// A host as its grain holds it. Its liveness is checked in memory by the silo holding it, every 30 s: silentChecks is
/// how many checks in a row heard no heartbeat, and offlineAt when the host goes offline unless one comes first (the
/// second silent check); 0 and null while it is offline.
/// </summary>
[GenerateSerializer]
public sealed record HostView(string Host, HostStatus Status, IReadOnlyDictionary<string, string> Labels, int Capacity, string? SessionId, string? AgentVersion, DateTimeOffset? LastSeen, DateTimeOffset? RegisteredAt,
    DateTimeOffset? RevokedAt = null, string? RevokedBy = null, string Namespace = Plans.Model.Namespaces.Default,
    HostOperation Operation = HostOperation.Active, string? OperationBy = null, DateTimeOffset? OperationAt = null, DateTimeOffset? RemovedAt = null,
    int SilentChecks = 0, DateTimeOffset? OfflineAt = null);
