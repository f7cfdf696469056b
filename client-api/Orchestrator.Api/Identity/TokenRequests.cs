using Orchestrator.Api.Hosting;

namespace Orchestrator.Api.Identity;

/// <summary>
/// A token to create, for the OpenAPI document (read by the tokens API's strict reader): its name (the principal),
/// its roles per namespace, and an optional expiry (<c>expiresIn</c> or <c>expiresAt</c>, not both).
/// </summary>
public sealed record TokenBody
{
    /// <summary>1 to 128 characters: the principal the token authenticates as.</summary>
    public required string Name { get; init; }

    /// <summary>Roles per namespace (<c>*</c>: every namespace): viewer, operator, approver, admin.</summary>
    public required IReadOnlyDictionary<string, IReadOnlyList<string>> Grants { get; init; }

    /// <summary>How long it lives (<c>30d</c>, <c>12h</c>).</summary>
    public string? ExpiresIn { get; init; }

    /// <summary>When it expires (RFC 3339).</summary>
    public DateTimeOffset? ExpiresAt { get; init; }
}

internal static class TokenRequests
{
    public static readonly DescribedBody Create = new(typeof(TokenBody), true, "The token's name, grants and expiry; the reply holds the token text, once.",
        ["application/json"], """{"name": "ci", "grants": {"default": ["operator"]}, "expiresIn": "30d"}""");
}
