using System.Security.Cryptography;
using Orchestrator.GrainInterfaces;
using Orchestrator.Grains.Common;
using Orchestrator.Runtime.Indexes;

namespace Orchestrator.Grains.Tokens;

/// <summary>State of an API token: who it is, what it may do, until when; the secret only as its SHA-256.</summary>
public sealed class ApiTokenState
{
    public string? Name { get; set; }

    public string Owner { get; set; } = "";

    public Dictionary<string, List<string>> Grants { get; set; } = [];

    public DateTimeOffset? ExpiresAt { get; set; }

    public byte[] SecretHash { get; set; } = [];

    public DateTimeOffset CreatedAt { get; set; }

    public DateTimeOffset? RevokedAt { get; set; }

    public string? RevokedBy { get; set; }
}

/// <summary>
/// An API token (see <see cref="IApiTokenGrain"/>). Its index row, written with its state, is what the token list
/// reads; verifying a request is one read of this grain.
/// </summary>
[GrainType("apitoken")]
public sealed class ApiTokenGrain : Orchestrator.Runtime.Durable.DurableGrain<ApiTokenState>, IApiTokenGrain
{
    public Task<int> Create(CreateApiToken command)
    {
        ArgumentNullException.ThrowIfNull(command);
        if (State.Name is not null)
        {
            // A client's retry carries the same secret: the same token. Anything else under this id is a collision.
            return Task.FromResult(CryptographicOperations.FixedTimeEquals(State.SecretHash, command.SecretHash) ? 201 : 409);
        }
        State.Name = command.Name;
        State.Owner = command.Owner;
        State.Grants = command.Grants.ToDictionary(g => g.Key, g => g.Value.ToList(), StringComparer.Ordinal);
        State.ExpiresAt = command.ExpiresAt;
        State.SecretHash = command.SecretHash;
        State.CreatedAt = Clock.GetUtcNow();
        WriteRow();
        return Task.FromResult(201);
    }

    public Task<bool> Revoke(string by)
    {
        if (State.Name is null)
        {
            return Task.FromResult(false);
        }
        if (State.RevokedAt is null)
        {
            State.RevokedAt = Clock.GetUtcNow();
            State.RevokedBy = by;
            WriteRow();
        }
        return Task.FromResult(true);
    }

    public ValueTask<ApiTokenCheck?> GetCheckAsync() => ValueTask.FromResult(State.Name is null
        ? null
        : new ApiTokenCheck(State.Name, Grants(), State.ExpiresAt, State.RevokedAt is not null, State.SecretHash));

    public ValueTask<ApiTokenView?> GetAsync() => ValueTask.FromResult(State.Name is null ? null : View());

    private ApiTokenView View() =>
        new(GrainKey, State.Name!, State.Owner, Grants(), State.ExpiresAt, State.CreatedAt, State.RevokedAt, State.RevokedBy);

    private Dictionary<string, IReadOnlyList<string>> Grants() =>
        State.Grants.ToDictionary(g => g.Key, g => (IReadOnlyList<string>)[.. g.Value], StringComparer.Ordinal);

    private void WriteRow() => WriteIndex(new IndexRow(ApiTokenIndex.Kind, "", GrainKey,
        State.RevokedAt is null ? ApiTokenIndex.Active : ApiTokenIndex.Revoked, DomainJson.Serialize(View())));
}
