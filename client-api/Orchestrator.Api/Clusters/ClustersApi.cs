using Orchestrator.Api.Common;
using Orchestrator.Api.Identity;
using Orchestrator.GrainInterfaces;
using Orchestrator.Plans.Validation;
using Orchestrator.Runtime.Indexes;

namespace Orchestrator.Api.Clusters;

/// <summary>
/// /api/v1/clusters: the Kubernetes clusters container steps run on. A cluster is shared by every namespace, so
/// registering, replacing and deleting one needs admin on <c>*</c>; reading needs viewer somewhere. Credentials are
/// references to files on the silos (a kubeconfig, or a token and CA file) or the silos' in-cluster service account,
/// never the secret itself: a field that would carry one (<c>token</c>, <c>kubeconfig</c>, ...) is refused by name.
/// </summary>
public static class ClustersApi
{
    public const int MaxLabels = 64;

    public const int MaxCapacity = 10_000;

    public const int DefaultCapacity = 10;

    public const int MaxUrlLength = 2048;

    public const int MaxPathLength = 4096;

    /// <summary>Fields that would hold a credential in clear, and what to give instead.</summary>
    private static readonly Dictionary<string, string> InlineSecrets = new(StringComparer.OrdinalIgnoreCase)
    {
        ["token"] = "tokenFile",
        ["kubeconfig"] = "kubeconfigFile",
        ["ca"] = "caFile",
        ["caData"] = "caFile",
        ["certificateAuthorityData"] = "caFile",
        ["clientCertificateData"] = "kubeconfigFile",
        ["clientKeyData"] = "kubeconfigFile",
        ["password"] = "kubeconfigFile",
    };

    public static RouteGroupBuilder MapClustersApi(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/api/v1/clusters").WithTags("Clusters");
        group.MapGet("/", List);
        group.MapGet("/{name}", Get);
        group.MapPut("/{name}", Put).WithMetadata(ClusterRequests.Cluster);
        group.MapDelete("/{name}", Delete);
        return group;
    }

    private static async Task<Results<Created<ClusterView>, Ok<ClusterView>, ProblemHttpResult>> Put(string name, HttpContext http, ApiContext api, CancellationToken cancellationToken)
    {
        if (CheckName(name) is { } badName)
        {
            return badName;
        }

        if (!Access.Allows(http.User, Roles.AnyNamespace, Role.Admin))
        {
            return Access.Forbidden(http, Access.Refusal(Role.Admin, Roles.AnyNamespace) + " A cluster is shared by every namespace.");
        }

        using var body = await JsonBody.ReadAsync(http, required: true, cancellationToken);
        if (body.Error is { } error)
        {
            return Problems.From(error);
        }

        var fields = JsonFields.Of(body.Root);
        var spec = ReadSpec(fields);
        if (fields.Errors.Count > 0 || spec is null)
        {
            return Problems.Validation(fields.Errors);
        }

        var grain = api.Client.GetGrain<IClusterGrain>(name);
        var created = await grain.Put(new PutCluster(spec, Caller.Of(http)));
        var view = (await grain.GetAsync())!; // written above
        return created ? TypedResults.Created($"/api/v1/clusters/{name}", view) : TypedResults.Ok(view);
    }

    /// <summary>The body of a PUT: every error is added to <paramref name="fields"/>, with the field's JSON path.</summary>
    internal static ClusterSpec? ReadSpec(JsonFields fields)
    {
        var apiServer = fields.String("apiServer", MaxUrlLength);
        var defaultNamespace = fields.String("defaultNamespace", 63) ?? "default";
        var labels = fields.StringMap("labels", MaxLabels, ContainerNames.IsLabelKey,
            "a label key (an optional DNS prefix and '/', then letters, digits, '-', '_' and '.', at most 63)", 63) ?? [];
        var capacity = fields.Int("capacity", 1, MaxCapacity) ?? DefaultCapacity;
        var credentials = ReadCredentials(fields);
        fields.RefuseUnknown();

        if (apiServer is not null && (!Uri.TryCreate(apiServer, UriKind.Absolute, out var uri) || uri.Scheme != Uri.UriSchemeHttps || string.IsNullOrEmpty(uri.Host)))
        {
            fields.Add("apiServer", $"{Quote.Of(apiServer)} is not an absolute https:// URL (the API server is reached over TLS: credentials travel on it).");
        }

        if (!ContainerNames.IsDnsLabel(defaultNamespace))
        {
            fields.Add("defaultNamespace", $"{Quote.Of(defaultNamespace)} is not a Kubernetes namespace: {ContainerNames.DnsLabelRule}.");
        }

        foreach (var (key, value) in labels)
        {
            if (!ContainerNames.IsLabelValue(value))
            {
                fields.Errors.Add(new FieldError(JsonFields.Path("labels", key), $"{Quote.Of(value)} is not a label value: at most 63 letters, digits, '-', '_' and '.', starting and ending with a letter or digit."));
            }
        }

        if (credentials is { TokenFile: not null } && apiServer is null)
        {
            fields.Add("apiServer", "Required with credentials.tokenFile: a token file does not say where the API server is.");
        }

        return fields.Errors.Count > 0 || credentials is null ? null : new ClusterSpec(apiServer, defaultNamespace, labels, capacity, credentials);
    }

    private static ClusterCredentials? ReadCredentials(JsonFields fields)
    {
        var c = fields.Object("credentials");
        if (c is null)
        {
            if (!fields.Has("credentials"))
            {
                fields.Add("credentials", "Required: {kubeconfigFile, context}, {tokenFile, caFile} or {inCluster: true}.");
            }

            return null;
        }

        var before = fields.Errors.Count;
        foreach (var (field, instead) in InlineSecrets)
        {
            if (c.Has(field))
            {
                c.Add(field, $"Credentials are never stored: give '{instead}', the path of a file on the silos that holds it.");
                c.Raw(field); // named above; not unknown as well
            }
        }

        var kubeconfig = FilePath(c, "kubeconfigFile");
        var context = c.String("context", 253);
        var tokenFile = FilePath(c, "tokenFile");
        var caFile = FilePath(c, "caFile");
        var inCluster = c.Bool("inCluster") ?? false;
        c.RefuseUnknown();

        var ways = (kubeconfig is not null ? 1 : 0) + (tokenFile is not null ? 1 : 0) + (inCluster ? 1 : 0);
        if (ways != 1)
        {
            fields.Add("credentials", ways == 0
                ? "Give one way to authenticate: kubeconfigFile (and context), tokenFile (and caFile), or inCluster: true."
                : "Give one way to authenticate, not several: kubeconfigFile, tokenFile or inCluster.");
        }

        if (context is not null && kubeconfig is null)
        {
            c.Add("context", "A context is one of a kubeconfig's: give it with kubeconfigFile.");
        }

        if (caFile is not null && tokenFile is null)
        {
            c.Add("caFile", "caFile goes with tokenFile (a kubeconfig names its own CA).");
        }

        return fields.Errors.Count > before ? null : new ClusterCredentials(kubeconfig, context, tokenFile, caFile, inCluster);
    }

    private static string? FilePath(JsonFields c, string name)
    {
        var path = c.String(name, MaxPathLength);
        if (path is not null && (!path.StartsWith('/') || path.Any(char.IsControl)))
        {
            c.Add(name, $"{Quote.Of(path)} is not an absolute path on the silos.");
        }

        return path;
    }

    private static async Task<Results<Ok<ClusterView>, ProblemHttpResult>> Get(string name, HttpContext http, ApiContext api)
    {
        if ((CheckName(name) ?? new QueryValues(http).Problem()) is { } bad)
        {
            return bad;
        }

        return await api.Client.GetGrain<IClusterGrain>(name).GetAsync() is { } view ? TypedResults.Ok(view) : Problems.NotFound($"No cluster '{name}'.");
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> Delete(string name, HttpContext http, ApiContext api)
    {
        if ((CheckName(name) ?? new QueryValues(http).Problem()) is { } bad)
        {
            return bad;
        }

        if (!Access.Allows(http.User, Roles.AnyNamespace, Role.Admin))
        {
            return Access.Forbidden(http, Access.Refusal(Role.Admin, Roles.AnyNamespace) + " A cluster is shared by every namespace.");
        }

        return await api.Client.GetGrain<IClusterGrain>(name).Delete(Caller.Of(http)) ? TypedResults.NoContent() : Problems.NotFound($"No cluster '{name}'.");
    }

    private static async Task<Results<Ok<Page<ClusterView>>, ProblemHttpResult>> List(HttpContext http, ApiContext api, CancellationToken cancellationToken)
    {
        var query = new QueryValues(http);
        var after = query.After();
        var size = query.Limit(api.Options.MaxPageSize);
        if (query.Problem() is { } bad)
        {
            return bad;
        }

        var rows = await api.Client.Indexes.QueryAsync(new IndexQuery(ClusterIndex.Kind, [""]) { AfterKey = after, Limit = size }, cancellationToken);
        var items = rows.Select(r => IndexJson.Parse<ClusterView>(r.Data!)).ToList();
        return TypedResults.Ok(new Page<ClusterView>(items, Cursor.Next(items.Count, size, () => items[^1].Name)));
    }

    private static ProblemHttpResult? CheckName(string name) =>
        ContainerNames.IsClusterName(name) ? null : Problems.Field("name", $"{Quote.Of(name)} is not a cluster name: {ContainerNames.ClusterRule}.");
}
