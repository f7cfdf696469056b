using Orchestrator.Api.Common;
using Orchestrator.GrainInterfaces;

namespace Orchestrator.Api.Identity;

/// <summary>
/// The role check on the namespace of the object a request names (a plan, a task instance, a host), as an endpoint
/// filter on the resource's routes: the endpoint-level policy has only checked that the caller holds the role
/// somewhere. A caller who may not read the object's namespace is answered as if the object did not exist (404: a
/// caller never learns of another namespace's objects); one who may read it but lacks the role gets 403 naming the role
/// and the namespace. An object that does not exist goes on to the endpoint, which answers as it always has.
/// </summary>
public static class NamespaceGuard
{
    private const string ItemKey = "orchestrator.namespace";

    /// <summary>The namespace of the object the request names, once the guard checked it (null: none, or not found).</summary>
    public static string? Of(HttpContext http)
    {
        ArgumentNullException.ThrowIfNull(http);
        return http.Items.TryGetValue(ItemKey, out var ns) ? ns as string : null;
    }

    /// <summary>Routes naming a plan by <paramref name="routeKey"/> (<c>id</c>, or <c>planId</c> for its schedules).</summary>
    public static TBuilder GuardPlan<TBuilder>(this TBuilder builder, string routeKey)
        where TBuilder : IEndpointConventionBuilder =>
        builder.AddEndpointFilter((context, next) => CheckAsync(context, next, routeKey, id => Ids.IsValid(id),
            (client, id) => client.GetGrain<IPlanGrain>(id).GetNamespaceAsync(),
            (http, id) => routeKey == "id" && HttpMethods.IsPut(http.Request.Method)
                // PUT creates or updates: an id taken in a namespace the caller cannot see is a conflict, as for a create.
                ? TypedResults.Problem(title: "Conflict.", detail: $"Plan id '{id}' is taken; choose another id.", statusCode: StatusCodes.Status409Conflict)
                : Problems.NotFound($"No plan '{id}'.")));

    /// <summary>Routes naming a task instance by <c>id</c>.</summary>
    public static TBuilder GuardInstance<TBuilder>(this TBuilder builder)
        where TBuilder : IEndpointConventionBuilder =>
        builder.AddEndpointFilter((context, next) => CheckAsync(context, next, "id", id => Ids.IsValid(id),
            (client, id) => client.GetGrain<ITaskInstanceGrain>(id).GetNamespaceAsync(),
            (_, id) => Problems.NotFound($"No task instance '{id}'.")));

    /// <summary>Routes naming a host by <c>host</c>.</summary>
    public static TBuilder GuardHost<TBuilder>(this TBuilder builder)
        where TBuilder : IEndpointConventionBuilder =>
        builder.AddEndpointFilter((context, next) => CheckAsync(context, next, "host", Orchestrator.Plans.Validation.HostNames.IsValid,
            async (client, host) => (await client.GetGrain<IHostGrain>(host).GetAsync())?.Namespace,
            (_, host) => Problems.NotFound($"No host '{host}' has registered.")));

    private static async ValueTask<object?> CheckAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next, string routeKey,
        Func<string, bool> isKey, Func<GrainClient, string, ValueTask<string?>> find, Func<HttpContext, string, IResult> hidden)
    {
        var http = context.HttpContext;
        if (http.GetRouteValue(routeKey) is not string key || !isKey(key))
        {
            return await next(context).ConfigureAwait(false); // no object, or a key the endpoint refuses itself (400)
        }
        var api = http.RequestServices.GetRequiredService<ApiContext>();
        var ns = await find(api.Client, key).ConfigureAwait(false);
        if (ns is null)
        {
            return await next(context).ConfigureAwait(false);
        }
        var grants = CallerClaims.GrantsOf(http.User);
        if (!grants.Allows(ns, Role.Viewer))
        {
            return hidden(http, key);
        }
        var needed = EndpointRoleHandler.NeededBy(http);
        if (!grants.Allows(ns, needed))
        {
            return Access.Forbidden(http, Access.Refusal(needed, ns));
        }
        http.Items[ItemKey] = ns;
        return await next(context).ConfigureAwait(false);
    }
}
