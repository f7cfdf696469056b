using System.Net;

namespace Orchestrator.Agent.Transport;

/// <summary>
/// The server answered a request with a status that retrying will not change (a 4xx other than 401/403/408/429, or
/// a 404 for a file); the caller decides what the failure means.
/// </summary>
internal sealed class AgentApiException(HttpStatusCode status, string endpoint, string detail)
    : Exception($"{endpoint}: the server answered {(int)status} {status}{(detail.Length > 0 ? ": " + detail : "")}")
{
    public HttpStatusCode Status { get; } = status;

    public string Endpoint { get; } = endpoint;
}

/// <summary>
/// The server answered a report (events or logs) with a 500: it is reachable but failed on this request. Retrying the
/// same batch may fail the same way, so the sender splits it and, in the end, sets aside the item that keeps failing.
/// </summary>
internal sealed class AgentServerErrorException(HttpStatusCode status, string endpoint, string detail)
    : Exception($"{endpoint}: the server answered {(int)status} {status}{(detail.Length > 0 ? ": " + detail : "")}")
{
    public HttpStatusCode Status { get; } = status;
}
