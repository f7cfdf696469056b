using Orchestrator.GrainInterfaces;

namespace Orchestrator.Api.Hosts;

/// <summary>
/// A host in the inventory list: its name, status (its agent's liveness), labels, capacity, namespace and operation
/// (what an admin lets it do: active, paused, draining, or drained once nothing runs on a draining host), and the last
/// heartbeat its row recorded (<see cref="LastSeen"/>: heartbeats reach the row at most every heartbeat-forward
/// interval).
/// </summary>
public sealed record HostListItem(string Host, HostStatus Status, IReadOnlyDictionary<string, string> Labels, int Capacity, string Namespace,
    HostOperation Operation = HostOperation.Active, DateTimeOffset? LastSeen = null);
