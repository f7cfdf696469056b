using Orchestrator.Api.Common;
using Orchestrator.GrainInterfaces;
using Orchestrator.Plans.Model;
using Orchestrator.Runtime.Indexes;

namespace Orchestrator.Api.Identity;

/// <summary>
/// Which namespaces a list shows: every namespace the caller may read, or the one <c>?namespace=</c> names. A namespace
/// the caller may not read lists as empty (200), the same answer as a namespace with nothing in it, so that a list
/// never tells whether another team's namespace exists.
/// </summary>
public static class NamespaceScope
{
    /// <summary>Reads <c>?namespace=</c>: a namespace name, or null when not given (an error is added to <paramref name="query"/>).</summary>
    public static string? Read(QueryValues query)
    {
        ArgumentNullException.ThrowIfNull(query);
        var ns = query.Text("namespace", 64);
        if (ns is not null && !Namespaces.IsValid(ns))
        {
            query.Errors.Add(new FieldError("namespace", Namespaces.Rule(ns)));
            return null;
        }
        return ns;
    }

    /// <summary>
    /// The namespaces to list, in name order: <paramref name="requested"/> when the caller may read it (else none); else
    /// those its grants name, or, for a caller who may read every namespace, every namespace a plan was created in and
    /// <c>default</c>.
    /// </summary>
    public static async Task<IReadOnlyList<string>> ListedAsync(HttpContext http, ApiContext api, string? requested, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(http);
        ArgumentNullException.ThrowIfNull(api);
        var grants = CallerClaims.GrantsOf(http.User);
        if (requested is not null)
        {
            return grants.Allows(requested, Role.Viewer) ? [requested] : [];
        }
        if (!grants.ViewsEvery)
        {
            return grants.Viewable;
        }
        return await NamespaceRegistry.AllAsync(api.Client.Indexes, cancellationToken);
    }

    /// <summary>The index partitions of the namespaces (with "" for <c>default</c>: rows of before namespaces).</summary>
    public static IReadOnlyList<string> Partitions(IEnumerable<string> namespaces) => [.. namespaces.SelectMany(NamespacePartitions.Of)];

    /// <summary>
    /// The partitions to list for this request: those of <see cref="ListedAsync"/> for <paramref name="requested"/>.
    /// Empty when the caller may read none of them.
    /// </summary>
    public static async Task<IReadOnlyList<string>> PartitionsAsync(HttpContext http, ApiContext api, string? requested, CancellationToken cancellationToken) =>
        Partitions(await ListedAsync(http, api, requested, cancellationToken));
}
