using Orchestrator.GrainInterfaces;
using Orchestrator.Grains.Common;
using Orchestrator.Plans.Model;
using Orchestrator.Runtime.Indexes;

namespace Orchestrator.Grains.Steps;

/// <summary>
/// Which hosts a step of a namespace may reach (pure: unit-tested): only those registered in its namespace. A host of
/// another namespace is treated as one that never registered, so an operator of one namespace cannot run anything on
/// another's machines, whether by selector, by name, by a host-list parameter or as a file source.
/// </summary>
public static class HostNamespaces
{
    /// <summary>The namespace of a host's index row (<c>default</c> for rows of before namespaces, or without data).</summary>
    public static string Of(IndexRow row)
    {
        ArgumentNullException.ThrowIfNull(row);
        return row.Data is null ? Namespaces.Default : Namespaces.Of(DomainJson.Deserialize<HostIndexData>(row.Data).Namespace);
    }

    /// <summary>The names of the hosts among <paramref name="rows"/> that are live (not offline) and in <paramref name="ns"/>.</summary>
    public static HashSet<string> LiveIn(IEnumerable<IndexRow> rows, string ns) =>
        rows.Where(r => r.Status != (int)HostStatus.Offline && Of(r) == ns).Select(r => r.Key).ToHashSet(StringComparer.Ordinal);
}
