using System.Text.Json;
using System.Text.Json.Serialization;

namespace Orchestrator.Client;

/// <summary>
/// An RFC 7807 problem as the API writes it (<c>application/problem+json</c>): <c>type</c>, <c>title</c>,
/// <c>status</c>, <c>detail</c>, and the API's extensions <c>errors</c>, <c>errorsOmitted</c>, <c>traceId</c> and, on a
/// 202, <c>location</c>. Other extensions are kept in <see cref="Extensions"/>.
/// </summary>
public sealed record ApiProblem
{
    public string? Type { get; init; }

    public string? Title { get; init; }

    public int? Status { get; init; }

    public string? Detail { get; init; }

    /// <summary>The bad fields (at most 20; <see cref="ErrorsOmitted"/> counts the others).</summary>
    public IReadOnlyList<ApiFieldError>? Errors { get; init; }

    public int? ErrorsOmitted { get; init; }

    public string? TraceId { get; init; }

    public string? Location { get; init; }

    [JsonExtensionData]
    public Dictionary<string, JsonElement>? Extensions { get; init; }
}

/// <summary>One bad field: its path (<c>parameters.greeting</c>, <c>limit</c>, <c>Idempotency-Key</c>, <c>body</c>), why, and where in a plan's text.</summary>
public sealed record ApiFieldError(string Path, string Message, int? Line = null, int? Column = null);
