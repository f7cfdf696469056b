using Orchestrator.Api.Common;

namespace Orchestrator.Api.Identity;

/// <summary>
/// <c>GET /api/v1/namespaces</c>: the namespaces the caller may read, each with the roles it holds there (those its
/// grants name; for a reader of <c>*</c>, every namespace a plan was created in, and <c>default</c>). Namespaces are not
/// created or deleted: one exists once a plan, host or file is put in it.
/// </summary>
public static class NamespacesApi
{
    public static RouteGroupBuilder MapNamespacesApi(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/api/v1/namespaces").WithTags("Namespaces");
        group.MapGet("/", List);
        return group;
    }

    private static async Task<Results<Ok<NamespaceList>, ProblemHttpResult>> List(HttpContext http, ApiContext api, CancellationToken cancellationToken)
    {
        if (new QueryValues(http).Problem() is { } bad)
        {
            return bad;
        }
        var grants = CallerClaims.GrantsOf(http.User);
        var names = await NamespaceScope.ListedAsync(http, api, null, cancellationToken);
        return TypedResults.Ok(new NamespaceList([.. names.Select(n => new NamespaceItem(n, grants.EffectiveRoleNames(n)))]));
    }

    /// <summary>The namespaces the caller may read.</summary>
    public sealed record NamespaceList(IReadOnlyList<NamespaceItem> Items);

    /// <summary>A namespace and the roles the caller holds there (with those they imply).</summary>
    public sealed record NamespaceItem(string Name, IReadOnlyList<string> Roles);
}
