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
    /// Refuses the host's agent from now on (an admin's decision): its session ends (open assignments end as lost), its
    /// session's credential is listed as revoked (<see cref="AgentRevocations"/>), and registering the host again is
    /// refused until <see cref="Restore"/>. Again: no change.
    /// </summary>
    Task Revoke(string by);

    /// <summary>Lets the host register again after <see cref="Revoke"/>. Not revoked: no change.</summary>
    Task Restore(string by);

    [ReadOnly]
    ValueTask<HostView?> GetAsync();
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

[GenerateSerializer]
public sealed record HostView(string Host, HostStatus Status, IReadOnlyDictionary<string, string> Labels, int Capacity, string? SessionId, string? AgentVersion, DateTimeOffset? LastSeen, DateTimeOffset? RegisteredAt,
    DateTimeOffset? RevokedAt = null, string? RevokedBy = null, string Namespace = Plans.Model.Namespaces.Default);
