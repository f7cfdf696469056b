using Orchestrator.GrainInterfaces;

namespace Orchestrator.Api.Hosts;

/// <summary>
/// A host in the inventory list: its name, status (its agent's liveness), labels, capacity, namespace and operation
/// (what an admin lets it do: active, paused, draining, or drained once nothing runs on a draining host), and the last
/// heartbeat its row recorded (<see cref="LastSeen"/>: heartbeats reach the row at most every heartbeat-forward
/// interval), and what it runs (<see cref="Running"/>: absent when nothing the caller may read).
/// </summary>
public sealed record HostListItem(string Host, HostStatus Status, IReadOnlyDictionary<string, string> Labels, int Capacity, string Namespace,
    HostOperation Operation = HostOperation.Active, DateTimeOffset? LastSeen = null, IReadOnlyList<HostRunning>? Running = null);

/// <summary>
/// An assignment open on a host: the target of <see cref="Instance"/>'s step <see cref="Step"/> on it
/// (<see cref="Target"/>: the host, or <c>@srcN</c> for a file source it serves), its run number, and where it is on
/// the agent (dispatched, started, asked to cancel).
/// </summary>
public sealed record HostRunning(string Instance, int Step, string Target, int Run, AssignmentState State);
