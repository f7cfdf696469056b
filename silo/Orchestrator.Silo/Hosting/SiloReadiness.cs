namespace Orchestrator.Silo.Hosting;

/// <summary>
/// <c>GET /readyz</c>: 200 once this silo is active in Orleans' membership (it takes grain activations and its API
/// answers); 503 while it joins, and 503 <c>stopping</c> from SIGTERM on, so load balancers stop sending work before the
/// server closes.
/// </summary>
public static class SiloReadiness
{
    public static IResult Check(IClusterMembershipService membership, ILocalSiloDetails local, IHostApplicationLifetime lifetime)
    {
        ArgumentNullException.ThrowIfNull(membership);
        ArgumentNullException.ThrowIfNull(local);
        ArgumentNullException.ThrowIfNull(lifetime);
        var status = membership.CurrentSnapshot.GetSiloStatus(local.SiloAddress);
        if (lifetime.ApplicationStopping.IsCancellationRequested)
        {
            return Results.Json(new { status = "stopping", silo = local.Name, membership = status.ToString() }, statusCode: StatusCodes.Status503ServiceUnavailable);
        }
        return status == SiloStatus.Active
            ? Results.Ok(new { status = "ready", silo = local.Name, address = local.SiloAddress.ToString() })
            : Results.Json(new { status = "not ready", silo = local.Name, membership = status.ToString() }, statusCode: StatusCodes.Status503ServiceUnavailable);
    }

    /// <summary>
    /// <c>GET /readyz</c> of an API-only process (<c>--role api</c>): its Orleans client connected to the cluster at start
    /// (the web server listens only after it did), so it is ready until it stops.
    /// </summary>
    public static IResult CheckClient(IHostApplicationLifetime lifetime)
    {
        ArgumentNullException.ThrowIfNull(lifetime);
        return lifetime.ApplicationStopping.IsCancellationRequested
            ? Results.Json(new { status = "stopping" }, statusCode: StatusCodes.Status503ServiceUnavailable)
            : Results.Ok(new { status = "ready", role = "api" });
    }
}
