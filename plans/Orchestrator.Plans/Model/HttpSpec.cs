namespace Orchestrator.Plans.Model;

/// <summary>
/// An HTTP request the agent makes from every target host (a health check, a deploy hook, a load balancer call). The
/// target succeeds when the response status is one of <see cref="ExpectStatus"/>.
/// </summary>
public sealed record HttpSpec
{
    /// <summary>The request method, upper case: <c>GET</c> (default), <c>POST</c>, <c>PUT</c>, ...</summary>
    public string Method { get; init; } = "GET";

    /// <summary>Absolute <c>http</c> or <c>https</c> URL. Templates allowed.</summary>
    public string Url { get; init; } = "";

    /// <summary>Request headers; values allow templates. <c>Content-Type</c> here applies to <see cref="Body"/>.</summary>
    public IReadOnlyDictionary<string, string> Headers { get; init; } = new Dictionary<string, string>();

    /// <summary>The request body, sent as text (UTF-8); none when null. Templates allowed.</summary>
    public string? Body { get; init; }

    /// <summary>
    /// Statuses that count as success: codes (<c>204</c>) or classes (<c>2xx</c>). Empty means the default, <c>2xx</c>.
    /// </summary>
    public IReadOnlyList<string> ExpectStatus { get; init; } = [];

    /// <summary>Limit on the request, response body included; the step's <c>targetTimeout</c> also applies.</summary>
    public TimeSpan? Timeout { get; init; }

    /// <summary>Follow 3xx redirects (default <c>true</c>); when false, a redirect is the response whose status is checked.</summary>
    public bool? FollowRedirects { get; init; }
}
