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
