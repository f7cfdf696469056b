using Orchestrator.GrainInterfaces;

namespace Orchestrator.Api.Hosts;

/// <summary>A host in the inventory list: its name, status, labels, capacity and namespace.</summary>
public sealed record HostListItem(string Host, HostStatus Status, IReadOnlyDictionary<string, string> Labels, int Capacity, string Namespace);
