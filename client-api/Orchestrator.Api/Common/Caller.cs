namespace Orchestrator.Api.Common;

/// <summary>
/// Who is calling: the one place endpoints (and the audit log) read it. On the REST API it is the authenticated
/// principal (<see cref="Identity.CallerClaims"/>: an API token's name, the admin token's principal, a JWT's name
/// claim), never a header or a body field; the <c>X-Orchestrator-User</c> header of earlier versions is ignored. The
/// Harbor jobs API authenticates Harbor's core by its shared secret, so its caller is <see cref="Harbor"/>.
/// </summary>
public static class Caller
{
    /// <summary>The caller of the Harbor jobs API (<c>Authorization: Harbor-Secret</c>).</summary>
    public const string Harbor = "harbor";

    /// <summary>Only where no authentication ran (no endpoint of <c>/api/v1</c> but the jobs API is reached so).</summary>
    public const string Anonymous = "anonymous";

    public static string Of(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        return Identity.CallerClaims.NameOf(context.User) ?? (ProblemHandling.IsHarbor(context.Request.Path) ? Harbor : Anonymous);
    }
}
