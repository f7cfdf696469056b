using System.Text.Json;
using Orchestrator.Api.Common;
using Orchestrator.GrainInterfaces;
using Orchestrator.Runtime.Indexes;

namespace Orchestrator.Api.Identity;

/// <summary>
/// /api/v1/tokens (admin): API tokens are created (the token text is in that answer and nowhere else, ever), listed and
/// read without their secret, and revoked. A token's principal is its <c>name</c>; its owner is who created it.
/// A caller manages (creates, sees, revokes) only tokens all of whose grants are on namespaces it is admin of, a grant
/// on <c>*</c> only by admin on <c>*</c>: an admin of one namespace cannot mint, read or revoke a token of another. A
/// token it may not manage reads as absent (404) and is left out of lists.
/// </summary>
public static class TokensApi
{
    public const int MaxNameLength = 128;

    /// <summary>The longest a token may live when an expiry is given: ten years.</summary>
    private static readonly TimeSpan MaxLifetime = TimeSpan.FromDays(3660);

    public static RouteGroupBuilder MapTokensApi(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/api/v1/tokens").WithTags("Tokens");
        group.MapPost("/", Create).WithMetadata(TokenRequests.Create);
        group.MapGet("/", List);
        group.MapGet("/{id}", Get);
        group.MapPost("/{id}/revoke", Revoke);
        return group;
    }

    /// <summary>A created token: its view and, once, its text.</summary>
    public sealed record CreatedToken(string Id, string Name, string Owner, IReadOnlyDictionary<string, IReadOnlyList<string>> Grants, DateTimeOffset? ExpiresAt,
        string Token);

    /// <summary>A page of tokens.</summary>
    public sealed record TokenPage(IReadOnlyList<ApiTokenView> Items, string? Next);

    private static async Task<Results<Created<CreatedToken>, ProblemHttpResult>> Create(HttpContext http, ApiContext api, CancellationToken cancellationToken)
    {
        using var body = await JsonBody.ReadAsync(http, required: true, cancellationToken);
        if (body.Error is { } error)
        {
            return Problems.From(error);
        }
        var fields = JsonFields.Of(body.Root);
        var name = fields.String("name", MaxNameLength, required: true);
        var grants = ReadGrants(fields);
        var now = api.Clock.GetUtcNow();
        var expiresAt = fields.Time("expiresAt", now, now + MaxLifetime);
        var expiresIn = fields.Duration("expiresIn", TimeSpan.FromMinutes(1), MaxLifetime);
        fields.RefuseUnknown();
        if (name is not null && (name.Trim().Length != name.Length || name.Any(char.IsControl) || name.Length == 0))
        {
            fields.Add("name", "1 to 128 characters without control characters or leading or trailing spaces.");
        }
        if (expiresAt is not null && expiresIn is not null)
        {
            fields.Add("expiresIn", "Give expiresAt or expiresIn, not both.");
        }
        if (fields.Errors.Count > 0)
        {
            return Problems.Validation(fields.Errors);
        }
        var callerGrants = CallerClaims.GrantsOf(http.User);
        if (grants!.Keys.Where(ns => !callerGrants.AdministersGrant(ns)).Order(StringComparer.Ordinal).ToList() is { Count: > 0 } beyond)
        {
            return Access.Forbidden(http, $"a token may grant roles only on namespaces the caller is admin of ('*' only by an admin of '*'); " +
                $"not admin of {string.Join(", ", beyond.Select(ns => $"'{ns}'"))}.");
        }
        var expiry = expiresAt ?? (expiresIn is { } lifetime ? now + lifetime : null);
        var (id, text, hash) = TokenText.New();
        var owner = Caller.Of(http);
        var code = await api.Client.GetGrain<IApiTokenGrain>(id).Create(new CreateApiToken(name!, owner, grants!, expiry, hash));
        if (code != StatusCodes.Status201Created)
        {
            return TypedResults.Problem(title: "Conflict.", detail: "A token id collided; create the token again.", statusCode: StatusCodes.Status409Conflict);
        }
        return TypedResults.Created($"/api/v1/tokens/{id}", new CreatedToken(id, name!, owner, grants!, expiry, text));
    }

    /// <summary><c>grants</c>: namespace → role names, checked by <see cref="AccessGrants.Check"/>.</summary>
    private static Dictionary<string, IReadOnlyList<string>>? ReadGrants(JsonFields fields)
    {
        if (fields.Raw("grants") is not { } value || value.ValueKind == JsonValueKind.Null)
        {
            fields.Add("grants", "Required: roles per namespace, e.g. {\"default\": [\"operator\"]} (\"*\" for every namespace).");
            return null;
        }
        if (value.ValueKind != JsonValueKind.Object)
        {
            fields.Add("grants", $"Expected an object of namespace to role names, found {JsonFields.Describe(value)}.");
            return null;
        }
        var grants = new Dictionary<string, IReadOnlyList<string>>(StringComparer.Ordinal);
        foreach (var entry in value.EnumerateObject())
        {
            if (entry.Value.ValueKind != JsonValueKind.Array || entry.Value.EnumerateArray().Any(e => e.ValueKind != JsonValueKind.String))
            {
                fields.Errors.Add(new FieldError($"grants.{entry.Name}", "Expected an array of role names."));
                continue;
            }
            grants[entry.Name] = [.. entry.Value.EnumerateArray().Select(e => e.GetString()!)];
        }
        var before = fields.Errors.Count;
        fields.Errors.AddRange(AccessGrants.Check(grants, "grants"));
        return fields.Errors.Count == before ? grants : null;
    }

    private static async Task<Results<Ok<TokenPage>, ProblemHttpResult>> List(HttpContext http, ApiContext api, CancellationToken cancellationToken)
    {
        var query = new QueryValues(http);
        var after = query.After();
        var size = query.Limit(api.Options.MaxPageSize);
        var state = query.OneOf("state", "active", "revoked");
        if (query.Problem() is { } bad)
        {
            return bad;
        }
        IReadOnlyList<int>? statuses = state switch
        {
            "active" => [ApiTokenIndex.Active],
            "revoked" => [ApiTokenIndex.Revoked],
            _ => null,
        };
        // Filled from as many rows as it takes; the cursor is the last token shown, never one the caller may not see.
        var grants = CallerClaims.GrantsOf(http.User);
        var items = new List<ApiTokenView>();
        while (items.Count < size)
        {
            var rows = await api.Client.Indexes.QueryAsync(new IndexQuery(ApiTokenIndex.Kind, [""]) { AfterKey = after, Limit = size, Statuses = statuses }, cancellationToken);
            items.AddRange(rows.Select(r => IndexJson.Parse<ApiTokenView>(r.Data!)).Where(t => grants.AdministersAll(t.Grants.Keys)).Take(size - items.Count));
            if (rows.Count < size)
            {
                break;
            }
            after = rows[^1].Key;
        }
        return TypedResults.Ok(new TokenPage(items, Cursor.Next(items.Count, size, () => items[^1].Id)));
    }

    private static async Task<Results<Ok<ApiTokenView>, ProblemHttpResult>> Get(string id, HttpContext http, ApiContext api)
    {
        if ((Ids.Check("id", id) ?? new QueryValues(http).Problem()) is { } bad)
        {
            return bad;
        }
        var view = await api.Client.GetGrain<IApiTokenGrain>(id).GetAsync();
        return view is null || !CallerClaims.GrantsOf(http.User).AdministersAll(view.Grants.Keys) ? Problems.NotFound($"No API token '{id}'.") : TypedResults.Ok(view);
    }

    private static async Task<Results<Ok<ApiTokenView>, ProblemHttpResult>> Revoke(string id, HttpContext http, ApiContext api)
    {
        if ((Ids.Check("id", id) ?? new QueryValues(http).Problem()) is { } bad)
        {
            return bad;
        }
        var grain = api.Client.GetGrain<IApiTokenGrain>(id);
        if (await grain.GetAsync() is not { } view || !CallerClaims.GrantsOf(http.User).AdministersAll(view.Grants.Keys) || !await grain.Revoke(Caller.Of(http)))
        {
            return Problems.NotFound($"No API token '{id}'.");
        }
        return TypedResults.Ok((await grain.GetAsync())!); // revoked above: it exists
    }
}
