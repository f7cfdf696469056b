using Orchestrator.Runtime.Indexes;

namespace Orchestrator.GrainInterfaces;

/// <summary>
/// Every namespace objects can be in: <c>default</c> and each namespace a plan was created in (index kind
/// <see cref="IndexKinds.Namespace"/>; instances and schedules only come from plans). What reads across every namespace
/// — an admin of <c>*</c> listing, the retention pass — asks it for the partitions to read.
/// </summary>
public static class NamespaceRegistry
{
    private const int Page = 1000;

    /// <summary>Every namespace, in name order.</summary>
    public static async Task<IReadOnlyList<string>> AllAsync(IIndexReader indexes, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(indexes);
        var names = new SortedSet<string>(StringComparer.Ordinal) { Plans.Model.Namespaces.Default };
        string? after = null;
        while (true)
        {
            var page = await indexes.QueryAsync(new IndexQuery(IndexKinds.Namespace, [""]) { AfterKey = after, Limit = Page, KeysOnly = true }, cancellationToken).ConfigureAwait(false);
            names.UnionWith(page.Select(r => r.Key));
            if (page.Count < Page)
            {
                return [.. names];
            }
            after = page[^1].Key;
        }
    }

    /// <summary>The index partitions of every namespace (with "" for rows of before namespaces).</summary>
    public static async Task<IReadOnlyList<string>> AllPartitionsAsync(IIndexReader indexes, CancellationToken cancellationToken = default) =>
        [.. (await AllAsync(indexes, cancellationToken).ConfigureAwait(false)).SelectMany(NamespacePartitions.Of)];
}
