using System.Globalization;

namespace Orchestrator.Client;

public sealed partial class OrchestratorClient
{
    /// <summary>
    /// Creates an API token (admin). The reply's <see cref="CreatedApiToken.Token"/> is the token text, shown by the
    /// server this once: keep it now, it cannot be read again. The API keeps no idempotency key for tokens: if a reply is lost and the client retries, a second token of the
    /// same name may exist, whose text nobody has; list the tokens by name and revoke the extra one.
    /// </summary>
    public Task<CreatedApiToken> CreateTokenAsync(TokenRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        // expiresIn goes as whole seconds ("90s"), the one unit every duration the API reads takes.
        var body = new TokenBody(request.Name, request.Grants, request.ExpiresAt,
            request.ExpiresIn is { } lifetime ? ((long)Math.Ceiling(lifetime.TotalSeconds)).ToString(CultureInfo.InvariantCulture) + "s" : null);
        return CommandAsync<CreatedApiToken>(HttpMethod.Post, "tokens", Json(body), cancellationToken);
    }

    /// <summary>A page of API tokens (admin), active, revoked or both; never their secrets.</summary>
    public Task<Page<ApiToken>> ListTokensAsync(TokenState? state = null, PageRequest? page = null, CancellationToken cancellationToken = default) =>
        GetAsync<Page<ApiToken>>("tokens" + Query(("state", state?.ToApiName()), ("after", page?.After), ("limit", Text(page?.Limit))), cancellationToken);

    /// <summary>One API token (admin; 404 if there is none with that id).</summary>
    public Task<ApiToken> GetTokenAsync(string id, CancellationToken cancellationToken = default) =>
        GetAsync<ApiToken>($"tokens/{Segment(id)}", cancellationToken);

    /// <summary>Revokes an API token (admin): refused from its next request on; revoking it again changes nothing.</summary>
    public Task<ApiToken> RevokeTokenAsync(string id, CancellationToken cancellationToken = default) =>
        CommandAsync<ApiToken>(HttpMethod.Post, $"tokens/{Segment(id)}/revoke", null, cancellationToken);

    /// <summary>
    /// Revokes a host (admin): its agent is refused from its next call and may not register the host until it is
    /// restored. A host no agent has registered yet can be revoked too (an agent stolen before its first start stays
    /// out). The host as it is now (<see cref="HostInfo.RevokedAt"/> set); null only if the server answers without one.
    /// </summary>
    public Task<HostInfo?> RevokeHostAsync(string host, CancellationToken cancellationToken = default) =>
        OptionalCommandAsync<HostInfo>($"hosts/{Segment(host)}/revoke", cancellationToken);

    /// <summary>Lets a revoked host's agent register and call again (admin; 404 if the host never registered).</summary>
    public async Task<HostInfo> RestoreHostAsync(string host, CancellationToken cancellationToken = default) =>
        await OptionalCommandAsync<HostInfo>($"hosts/{Segment(host)}/restore", cancellationToken).ConfigureAwait(false)
            ?? throw new OrchestratorApiException($"/{ApiRoot}hosts/{host}/restore answered with an empty body.");

    /// <summary>A page of the audit log (admin), newest first, filtered by <paramref name="filter"/>.</summary>
    public Task<Page<AuditEntry>> QueryAuditAsync(AuditFilter? filter = null, PageRequest? page = null, CancellationToken cancellationToken = default) =>
        GetAsync<Page<AuditEntry>>("audit" + Query(("who", filter?.Who), ("object", filter?.Object), ("action", filter?.Action), ("from", Time(filter?.From)), ("to", Time(filter?.To)),
            ("after", page?.After), ("limit", Text(page?.Limit))), cancellationToken);

    private static string? Time(DateTimeOffset? value) => value?.ToUniversalTime().ToString("O", CultureInfo.InvariantCulture);

    /// <summary>A POST whose successful reply may have no body (null then).</summary>
    private async Task<T?> OptionalCommandAsync<T>(string path, CancellationToken cancellationToken) where T : class
    {
        using var response = await SendAsync(HttpMethod.Post, path, null, command: true, HttpCompletionOption.ResponseContentRead, null, cancellationToken).ConfigureAwait(false);
        var text = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
        if (string.IsNullOrWhiteSpace(text) || text.Trim() == "null")
        {
            return null;
        }
        try
        {
            return System.Text.Json.JsonSerializer.Deserialize<T>(text, Orchestrator.Client.Json.ClientJson.Options);
        }
        catch (System.Text.Json.JsonException e)
        {
            throw new OrchestratorApiException($"/{ApiRoot}{path} answered {(int)response.StatusCode} with a body this client cannot read: {e.Message}", e);
        }
    }

    private sealed record TokenBody(string Name, IReadOnlyDictionary<string, IReadOnlyList<string>> Grants, DateTimeOffset? ExpiresAt, string? ExpiresIn);
}
