using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Security.Claims;
using System.Text.Json.Nodes;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using Orchestrator.Engine.Tests.Infrastructure;
using Orchestrator.Runtime.Tests.Infrastructure;

namespace Orchestrator.Engine.Tests.Security;

/// <summary>
/// The real API on a one-silo SQLite cluster whose clock the tests move (token expiry), with JWT bearer tokens on
/// (a symmetric key the tests sign with; no network), and a gate plan whose approval names a principal and a role.
/// </summary>
public sealed class SecurityFixture : IAsyncLifetime
{
    public const string Issuer = "https://idp.test.example";
    public const string Audience = "orchestrator-tests";

    /// <summary>The JWT signing key (32 bytes), as the settings give it.</summary>
    public static readonly byte[] JwtKey = [.. Enumerable.Range(1, 32).Select(i => (byte)(i * 7))];

    public const string GatePlanYaml = """
        name: gate
        steps:
          - name: sign-off
            approval:
              approvers: [carol, "role:admin"]
              required: 1
          - name: after
            approval:
              required: 1
        """;

    public ManualTimeProvider Clock { get; } = new(TimeProvider.System.GetUtcNow());

    public EngineHarness Harness { get; private set; } = null!;

    public string GatePlan { get; private set; } = "";

    public async Task InitializeAsync()
    {
        Harness = await EngineHarness.StartAsync(EngineStores.Sqlite(), clock: Clock, configureApi: o =>
        {
            o.Auth.JwtIssuer = Issuer;
            o.Auth.JwtAudience = Audience;
            o.Auth.JwtSigningKey = "base64:" + Convert.ToBase64String(JwtKey);
            o.Auth.JwtNameClaim = "preferred_username";
        });
        GatePlan = await Harness.PutPlanAsync(GatePlanYaml);
    }

    public async Task DisposeAsync() => await Harness.DisposeAsync();

    /// <summary>A client of the API with <paramref name="token"/> (none: unauthenticated). The caller disposes it.</summary>
    public HttpClient As(string? token) => Harness.NewClient(token);

    /// <summary>An API token made by the admin with these grants (e.g. <c>{"default": ["viewer"]}</c>): its JSON answer.</summary>
    public async Task<JsonNode> CreateTokenAsync(string name, object grants, object? expiresAt = null)
    {
        using var response = await Harness.Http.PostAsJsonAsync("/api/v1/tokens", new { name, grants, expiresAt });
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == System.Net.HttpStatusCode.Created, $"create token: {(int)response.StatusCode} {body}");
        return JsonNode.Parse(body)!;
    }

    /// <summary>A JWT signed with <see cref="JwtKey"/> (or <paramref name="key"/>), valid for ten minutes from now on <see cref="Clock"/>, the API's clock.</summary>
    public string Jwt(string user, string[] roles, string issuer = Issuer, string audience = Audience, byte[]? key = null, string[]? namespaces = null)
    {
        var claims = new Dictionary<string, object> { ["preferred_username"] = user, ["roles"] = roles };
        if (namespaces is not null)
        {
            claims["namespaces"] = namespaces;
        }
        var now = Clock.GetUtcNow().UtcDateTime;
        return new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
        {
            Issuer = issuer,
            Audience = audience,
            Claims = claims,
            Subject = new ClaimsIdentity([new Claim("sub", "subject-" + user)]),
            NotBefore = now.AddMinutes(-1),
            IssuedAt = now.AddMinutes(-1),
            Expires = now.AddMinutes(10),
            SigningCredentials = new SigningCredentials(new SymmetricSecurityKey(key ?? JwtKey), SecurityAlgorithms.HmacSha256),
        });
    }

    /// <summary>Runs the gate plan as the admin and waits until its first step waits for approval: the instance id.</summary>
    public async Task<string> GateRunAsync()
    {
        var id = await Harness.RunAsync(GatePlan);
        await Harness.WaitForStepAsync(id, 0, TimeSpan.FromSeconds(60), "waitingForApproval");
        return id;
    }

    public static AuthenticationHeaderValue Bearer(string token) => new("Bearer", token);
}

[CollectionDefinition(Name)]
public sealed class SecurityCollection : ICollectionFixture<SecurityFixture>
{
    public const string Name = "security";
}
