using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace Orchestrator.Api.Hosting;

/// <summary>
/// The document's security schemes and each operation's requirement. The REST API takes an API token (or the admin
/// token) or, when configured, a JWT, both as <c>Authorization: Bearer</c>; the jobs API its <c>Harbor-Secret</c>; the
/// agent gateway the registration token for <c>/register</c> and the agent's credential after. The probes are open.
/// Which role an operation needs is <see cref="Identity.EndpointRoles"/>, said in each operation's description.
/// </summary>
internal static class OpenApiSecurity
{
    public const string ApiToken = "apiToken";
    public const string Jwt = "jwt";
    public const string HarborSecret = "harborSecret";
    public const string RegistrationToken = "agentRegistrationToken";
    public const string AgentCredential = "agentCredential";

    public static Dictionary<string, IOpenApiSecurityScheme> Schemes() => new(StringComparer.Ordinal)
    {
        [ApiToken] = new OpenApiSecurityScheme
        {
            Type = SecuritySchemeType.Http,
            Scheme = "bearer",
            BearerFormat = "orch_<id>_<secret>",
            Description = "An API token (POST /api/v1/tokens) or the admin token: `Authorization: Bearer orch_<id>_<secret>`.",
        },
        [Jwt] = new OpenApiSecurityScheme
        {
            Type = SecuritySchemeType.Http,
            Scheme = "bearer",
            BearerFormat = "JWT",
            Description = "An OpenID Connect / JWT bearer token, when the server is configured for one (JwtIssuer, JwtAudience, keys); roles from the `roles` claim.",
        },
        [HarborSecret] = new OpenApiSecurityScheme
        {
            Type = SecuritySchemeType.ApiKey,
            In = ParameterLocation.Header,
            Name = "Authorization",
            Description = "Harbor's core secret: `Authorization: Harbor-Secret <secret>` (the whole header value).",
        },
        [RegistrationToken] = new OpenApiSecurityScheme
        {
            Type = SecuritySchemeType.Http,
            Scheme = "bearer",
            Description = "The agent registration token (`--agent-token`): `Authorization: Bearer <token>`, for /api/v1/agent/register only.",
        },
        [AgentCredential] = new OpenApiSecurityScheme
        {
            Type = SecuritySchemeType.Http,
            Scheme = "bearer",
            Description = "The credential /api/v1/agent/register answered with, revocable per host: `Authorization: Bearer <credential>`.",
        },
    };

    /// <summary>The schemes that admit a caller of <paramref name="path"/> (any one of them), none for the open probes.</summary>
    public static string[] SchemesOf(string path, bool requiresCaller) => path switch
    {
        _ when requiresCaller => [ApiToken, Jwt],
        "/api/v1/agent/register" => [RegistrationToken],
        _ when path.StartsWith("/api/v1/agent/", StringComparison.Ordinal) => [AgentCredential],
        _ when path.StartsWith("/api/v1/jobs", StringComparison.Ordinal) || path == "/api/v1/stats" => [HarborSecret],
        _ => [],
    };

    public static Task RequireAsync(OpenApiOperation operation, OpenApiOperationTransformerContext context, CancellationToken cancellationToken)
    {
        var path = "/" + context.Description.RelativePath?.TrimEnd('/'); // a group's "/" leaves a trailing slash
        var metadata = context.Description.ActionDescriptor.EndpointMetadata;
        var requiresCaller = metadata.OfType<IAuthorizeData>().Any(a => a.Policy == Identity.IdentityRegistration.Policy);
        var schemes = SchemesOf(path, requiresCaller);
        if (schemes.Length == 0)
        {
            return Task.CompletedTask;
        }
        // Several requirements: any one of them admits the caller.
        operation.Security = [.. schemes.Select(s => new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference(s, context.Document)] = [] })];
        if (requiresCaller)
        {
            var method = context.Description.HttpMethod ?? "GET";
            var role = path.Contains("{action}", StringComparison.Ordinal)
                ? "the `operator` role for skip, continue and retry, the `approver` role for approve and reject"
                : $"the `{Identity.Roles.Name(Identity.EndpointRoles.Required(method, path, null))}` role";
            operation.Description = (operation.Description is { Length: > 0 } d ? d + "\n\n" : "") + $"Needs {role} (or one implying it).";
        }
        return Task.CompletedTask;
    }
}
