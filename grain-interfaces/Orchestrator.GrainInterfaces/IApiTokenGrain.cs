using Orleans.Concurrency;

namespace Orchestrator.GrainInterfaces;

/// <summary>
/// An API token, key: the token's id (the <c>&lt;id&gt;</c> of <c>orch_&lt;id&gt;_&lt;secret&gt;</c>). It keeps the
/// SHA-256 of the secret, never the secret: the API compares hashes. Created once, revoked once; both are idempotent,
/// so a client's retry after a timeout changes nothing.
/// </summary>
public interface IApiTokenGrain : IGrainWithStringKey
{
    /// <summary>Creates the token; 409 when this id already holds a different token (ids are random, so only by a bug).</summary>
    Task<int> Create(CreateApiToken command);

    /// <summary>Revokes it (again: no change). False when there is no such token.</summary>
    Task<bool> Revoke(string by);

    /// <summary>What the API checks a presented secret against; null when there is no such token.</summary>
    [ReadOnly]
    ValueTask<ApiTokenCheck?> GetCheckAsync();

    [ReadOnly]
    ValueTask<ApiTokenView?> GetAsync();
}

/// <summary>
/// A new token: <c>Name</c> is the principal it authenticates as, <c>Owner</c> who created it, <c>Grants</c> role names
/// per namespace (<c>*</c>: every namespace), <c>ExpiresAt</c> null for never, <c>SecretHash</c> the SHA-256 of the
/// secret's UTF-8 text.
/// </summary>
[GenerateSerializer]
public sealed record CreateApiToken(string Name, string Owner, IReadOnlyDictionary<string, IReadOnlyList<string>> Grants, DateTimeOffset? ExpiresAt,
    byte[] SecretHash);

/// <summary>A token as the API shows it: everything but the secret and its hash.</summary>
[GenerateSerializer]
public sealed record ApiTokenView(string Id, string Name, string Owner, IReadOnlyDictionary<string, IReadOnlyList<string>> Grants, DateTimeOffset? ExpiresAt,
    DateTimeOffset CreatedAt, DateTimeOffset? RevokedAt, string? RevokedBy);

/// <summary>What verifying a presented token needs.</summary>
[GenerateSerializer]
public sealed record ApiTokenCheck(string Name, IReadOnlyDictionary<string, IReadOnlyList<string>> Grants, DateTimeOffset? ExpiresAt, bool Revoked, byte[] SecretHash);

/// <summary>The token list's index rows (partition "", key the token id, status 0 active / 1 revoked, data <see cref="ApiTokenView"/> as JSON).</summary>
public static class ApiTokenIndex
{
    public const string Kind = "apitoken";

    public const int Active = 0;

    public const int Revoked = 1;
}
