using Orleans.Concurrency;

namespace Orchestrator.GrainInterfaces;

/// <summary>A host and its agent, key: host name. Online state, labels, capacity; notices a lost agent session.</summary>
public interface IHostGrain : IGrainWithStringKey
{
    /// <summary>A new agent session: targets the previous session had started are lost.</summary>
    Task Register(HostRegistration registration);

    Task Heartbeat(string sessionId, bool draining);

    [ReadOnly]
    ValueTask<HostView?> GetAsync();
}

[GenerateSerializer]
public sealed record HostRegistration(string SessionId, IReadOnlyDictionary<string, string> Labels, int Capacity, string AgentVersion);

[GenerateSerializer]
public sealed record HostView(string Host, HostStatus Status, IReadOnlyDictionary<string, string> Labels, int Capacity, string? SessionId, string? AgentVersion, DateTimeOffset? LastSeen, DateTimeOffset? RegisteredAt);
