using System.Net;
using k8s.Autorest;

namespace Orchestrator.Containers.Execution;

/// <summary>How the runner reads the client library's failures: an API answer with a status, or no answer at all.</summary>
internal static class KubernetesErrors
{
    public static HttpStatusCode? Status(Exception e) => e is HttpOperationException { Response: { } response } ? response.StatusCode : null;

    /// <summary>No answer: refused, reset, DNS, TLS, or the client's own timeout (not the caller's cancel).</summary>
    public static bool IsTransport(Exception e, CancellationToken cancellationToken) => e switch
    {
        HttpRequestException or IOException or System.Net.Sockets.SocketException or TimeoutException => true,
        OperationCanceledException => !cancellationToken.IsCancellationRequested,
        _ => false,
    };

    /// <summary>
    /// A watch stream that ended: <c>KubernetesClient</c> 21 surfaces the end of a watch response as an
    /// <see cref="HttpRequestException"/> around an <see cref="EndOfStreamException"/> (its line reader peeks past the end).
    /// </summary>
    public static bool IsStreamEnd(HttpRequestException e) => e.InnerException is EndOfStreamException;

    /// <summary>The message of an API error without its body (which may echo the request).</summary>
    public static string Describe(Exception e) => e switch
    {
        HttpOperationException { Response: { } response } => $"answered {(int)response.StatusCode} {response.StatusCode}",
        HttpRequestException h => h.InnerException is { } inner ? $"{h.Message} ({inner.Message})" : h.Message,
        _ => e.Message,
    };
}
