namespace Orchestrator.Client;

/// <summary>
/// What <see cref="OrchestratorClient.CreateTokenAsync"/> asks for: the token's name (its principal), its roles per
/// namespace (<c>{"default": ["operator"]}</c>, <c>"*"</c> for every namespace), and an optional expiry: a time or a
/// lifetime from now, not both (neither: it never expires).
/// </summary>
public sealed record TokenRequest(string Name, IReadOnlyDictionary<string, IReadOnlyList<string>> Grants, DateTimeOffset? ExpiresAt = null, TimeSpan? ExpiresIn = null);

/// <summary>An API token as the server lists it: never its secret, nor the secret's hash.</summary>
public sealed record ApiToken(string Id, string Name, string Owner, IReadOnlyDictionary<string, IReadOnlyList<string>> Grants, DateTimeOffset? ExpiresAt,
    DateTimeOffset CreatedAt, DateTimeOffset? RevokedAt, string? RevokedBy)
{
    /// <summary>Revoked: refused from the request after its revocation on.</summary>
    public bool Revoked => RevokedAt is not null;
}

/// <summary>
/// A token just created: its view and <see cref="Token"/>, the token text, which the server shows this once and never
/// again. <see cref="ToString"/> leaves the text out, so logging the record does not log the secret.
/// </summary>
public sealed record CreatedApiToken(string Id, string Name, string Owner, IReadOnlyDictionary<string, IReadOnlyList<string>> Grants, DateTimeOffset? ExpiresAt,
    string Token)
{
    public override string ToString() => $"CreatedApiToken {{ Id = {Id}, Name = {Name}, Owner = {Owner}, ExpiresAt = {ExpiresAt?.ToString("O", System.Globalization.CultureInfo.InvariantCulture) ?? "never"}, Token = *** }}";
}

/// <summary>Which tokens a list shows.</summary>
public enum TokenState
{
    Active,
    Revoked,
}
