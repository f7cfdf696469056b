using Orchestrator.Api.Agents;
using Orchestrator.Api.Identity;

namespace Orchestrator.Engine.Tests.Security;

/// <summary>The pure parts: token text, role implication, grants, the endpoint role table, JWT role mapping, agent credentials.</summary>
public sealed class IdentityRulesTests
{
    [Fact]
    public void TokenText_New_ParsesBackToItsIdAndASecretMatchingTheHash()
    {
        var (id, text, hash) = TokenText.New();

        Assert.True(TokenText.TryParse(text, out var parsedId, out var secret));
        Assert.Equal(id, parsedId);
        Assert.Equal(hash, TokenText.Hash(secret));
        Assert.Matches("^orch_[a-z0-9]{12}_[A-Za-z0-9_-]{43}$", text);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("orch_")]
    [InlineData("orch_abcdefghijkl")]
    [InlineData("orch_ABCDEFGHIJKL_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")] // upper-case id
    [InlineData("orch_abcdefghijkl-AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")] // wrong separator
    [InlineData("orch_abcdefghijkl_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")] // one character short
    [InlineData("orch_abcdefghijkl_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA+")] // not base64url
    [InlineData("xrch_abcdefghijkl_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")]
    public void TokenText_Malformed_IsNotParsed(string? text) => Assert.False(TokenText.TryParse(text, out _, out _));

    [Theory]
    [InlineData(Role.Admin, Role.Viewer, true)]
    [InlineData(Role.Admin, Role.Operator, true)]
    [InlineData(Role.Admin, Role.Approver, true)]
    [InlineData(Role.Operator, Role.Viewer, true)]
    [InlineData(Role.Approver, Role.Viewer, true)]
    [InlineData(Role.Operator, Role.Approver, false)] // who runs a change is not who signs it off
    [InlineData(Role.Approver, Role.Operator, false)]
    [InlineData(Role.Viewer, Role.Operator, false)]
    [InlineData(Role.Operator, Role.Admin, false)]
    [InlineData(Role.Admin, Role.Agent, true)] // a namespace's admin may register its hosts
    [InlineData(Role.Agent, Role.Viewer, false)] // a registration token reads nothing
    [InlineData(Role.Agent, Role.Operator, false)]
    [InlineData(Role.Operator, Role.Agent, false)]
    public void Roles_Implies(Role held, Role needed, bool implied) => Assert.Equal(implied, Roles.Implies(held, needed));

    [Fact]
    public void Grants_OnTheNamespaceOrOnStar_Allow_OthersDoNot()
    {
        var grants = new AccessGrants([new("default", ["operator"]), new("*", ["viewer"])]);

        Assert.True(grants.Allows("default", Role.Operator));
        Assert.True(grants.Allows("team-b", Role.Viewer));
        Assert.False(grants.Allows("team-b", Role.Operator));
        Assert.False(grants.Allows("default", Role.Approver));
        Assert.Equal(["viewer", "operator"], grants.EffectiveRoleNames("default"));
    }

    [Fact]
    public void Grants_AgentRoleOnly_ViewsNothing()
    {
        var grants = new AccessGrants([new("team-a", ["agent"]), new("team-b", ["viewer"]), new("*", ["agent"])]);

        Assert.True(grants.Allows("team-a", Role.Agent));
        Assert.True(grants.Allows("team-c", Role.Agent));
        Assert.False(grants.Allows("team-a", Role.Viewer));
        Assert.Equal(["team-b"], grants.Viewable);
        Assert.False(grants.ViewsEvery);
    }

    [Fact]
    public void Grants_Check_NamesEachBadPart()
    {
        var errors = AccessGrants.Check(new Dictionary<string, IReadOnlyList<string>> { ["UPPER"] = ["viewer"], ["ok"] = ["viewer", "root"], ["empty"] = [] }, "grants");

        Assert.Equal(["grants.UPPER", "grants.ok[1]", "grants.empty"], errors.Select(e => e.Path));
    }

    [Theory]
    [InlineData("GET", "/api/v1/plans/{id}", null, Role.Viewer)]
    [InlineData("GET", "/api/v1/tokens", null, Role.Admin)]
    [InlineData("GET", "/api/v1/audit", null, Role.Admin)]
    [InlineData("PUT", "/api/v1/plans/{id}", null, Role.Admin)]
    [InlineData("POST", "/api/v1/plans/", null, Role.Admin)]
    [InlineData("POST", "/api/v1/plans/{id}/run", null, Role.Operator)]
    [InlineData("POST", "/api/v1/task-instances/{id}/cancel", null, Role.Operator)]
    [InlineData("DELETE", "/api/v1/task-instances/{id}", null, Role.Admin)]
    [InlineData("POST", "/api/v1/task-instances/{id}/steps/{step}/{action}", "retry", Role.Operator)]
    [InlineData("POST", "/api/v1/task-instances/{id}/steps/{step}/{action}", "approve", Role.Approver)]
    [InlineData("POST", "/api/v1/task-instances/{id}/steps/{step}/{action}", "reject", Role.Approver)]
    [InlineData("POST", "/api/v1/files/", null, Role.Operator)]
    [InlineData("POST", "/api/v1/schedules/preview", null, Role.Viewer)]
    [InlineData("POST", "/api/v1/plans/{planId}/schedules/{name}/suspend", null, Role.Admin)]
    [InlineData("POST", "/api/v1/hosts/{host}/revoke", null, Role.Admin)]
    [InlineData("POST", "/api/v1/something-new", null, Role.Admin)] // closed by default
    public void EndpointRoles_Required(string method, string pattern, string? action, Role role) =>
        Assert.Equal(role, EndpointRoles.Required(method, pattern, action));

    [Fact]
    public void JwtGrants_NamespacedAndBareRoles()
    {
        var onDefault = JwtMapping.Grants(["viewer", "team-b:admin", "nonsense:", "superuser"], []);
        var onListed = JwtMapping.Grants(["operator"], ["team-c", "*"]);

        Assert.True(onDefault.Allows("default", Role.Viewer));
        Assert.False(onDefault.Allows("default", Role.Operator));
        Assert.True(onDefault.Allows("team-b", Role.Approver));
        Assert.False(onListed.Allows("default", Role.Approver));
        Assert.True(onListed.Allows("default", Role.Operator)); // through "*"
        Assert.True(onListed.Allows("team-c", Role.Operator));
    }

    [Fact]
    public void AgentCredential_VerifiesUnderTheSameRegistrationTokenOnly()
    {
        var credentials = new AgentCredentials("registration-token");
        var credential = credentials.Issue("session-1");

        Assert.True(credentials.TryVerify(credential, out var session));
        Assert.Equal("session-1", session);
        Assert.False(new AgentCredentials("another-token").TryVerify(credential, out _));
        Assert.False(credentials.TryVerify(credential[..^2] + (credential[^2] == 'A' ? "B" : "A") + credential[^1], out _));
        Assert.False(credentials.TryVerify(AgentCredentials.Prefix + "c2Vzc2lvbi0y." + credential.Split('.')[2], out _)); // another session, same MAC
        Assert.False(credentials.TryVerify("registration-token", out _));
    }

    [Fact]
    public void AgentCredential_BoundToANamespace_CarriesIt_AndCannotBeMovedToAnother()
    {
        var credentials = new AgentCredentials("registration-token");
        var scoped = credentials.Issue("session-1", "team-a");
        var unscoped = credentials.Issue("session-1");

        Assert.True(credentials.TryVerify(scoped, out var session, out var scope));
        Assert.Equal(("session-1", "team-a"), (session, scope));
        Assert.True(credentials.TryVerify(unscoped, out _, out var none));
        Assert.Null(none);
        var parts = scoped[AgentCredentials.ScopedPrefix.Length..].Split('.');
        var teamB = System.Buffers.Text.Base64Url.EncodeToString("team-b"u8);
        Assert.False(credentials.TryVerify($"{AgentCredentials.ScopedPrefix}{teamB}.{parts[1]}.{parts[2]}", out _, out _)); // another namespace, same MAC
        Assert.False(credentials.TryVerify($"{AgentCredentials.Prefix}{parts[1]}.{parts[2]}", out _, out _)); // the scope dropped, same MAC
        Assert.False(new AgentCredentials("another-token").TryVerify(scoped, out _, out _));
    }

    [Fact]
    public void AuthOptions_JwtWithoutAudienceOrKey_NamesTheSettings()
    {
        var problems = new AuthOptions { JwtIssuer = "https://idp" }.Validate().ToList();

        Assert.Contains(problems, p => p.StartsWith("JwtAudience:", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.StartsWith("JwtSigningKey:", StringComparison.Ordinal));
        Assert.Empty(new AuthOptions().Validate());
        Assert.Contains(new AuthOptions { JwtIssuer = "i", JwtAudience = "a", JwtSigningKey = "base64:AAAA" }.Validate(), p => p.Contains("32 bytes", StringComparison.Ordinal));
    }
}

/// <summary>The pure parts of namespaces in identity: where a role holds, what a caller may read, which tokens it manages.</summary>
public sealed class NamespaceGrantsTests
{
    private static AccessGrants Grants(params (string Ns, string[] Roles)[] grants) =>
        new(grants.Select(g => new KeyValuePair<string, IReadOnlyList<string>>(g.Ns, g.Roles)));

    [Fact]
    public void AllowsSomewhere_ARoleOnAnyNamespace()
    {
        var grants = Grants(("a", ["viewer"]), ("b", ["operator"]));

        Assert.True(grants.AllowsSomewhere(Role.Operator));
        Assert.True(grants.AllowsSomewhere(Role.Viewer));
        Assert.False(grants.AllowsSomewhere(Role.Approver));
        Assert.False(grants.AllowsSomewhere(Role.Admin));
        Assert.False(AccessGrants.None.AllowsSomewhere(Role.Viewer));
    }

    [Fact]
    public void Viewable_TheNamedNamespaces_ViewsEveryOnlyWithAStar()
    {
        var named = Grants(("b", ["approver"]), ("a", ["viewer"]));
        var every = Grants(("*", ["viewer"]));

        Assert.Equal(["a", "b"], named.Viewable);
        Assert.False(named.ViewsEvery);
        Assert.True(every.ViewsEvery);
        Assert.Empty(every.Viewable);
        Assert.True(every.Allows("anything", Role.Viewer));
    }

    [Fact]
    public void AdministersGrant_StarOnlyByAdminOnStar()
    {
        var adminA = Grants(("a", ["admin"]));
        var adminAll = AccessGrants.Everything;
        var viewerAll = Grants(("*", ["viewer"]), ("a", ["admin"]));

        Assert.True(adminA.AdministersGrant("a"));
        Assert.False(adminA.AdministersGrant("b"));
        Assert.False(adminA.AdministersGrant("*"));
        Assert.True(adminAll.AdministersGrant("*"));
        Assert.True(adminAll.AdministersGrant("b"));
        Assert.False(viewerAll.AdministersGrant("*"));
        Assert.True(adminA.AdministersAll(["a"]));
        Assert.False(adminA.AdministersAll(["a", "b"]));
    }

    [Theory]
    [InlineData("/api/v1/audit", true)]
    [InlineData("/api/v1/dead-letters/{id}/replay", true)]
    [InlineData("/api/v1/hooks/parked", true)]
    [InlineData("/api/v1/task-instances/{id}/hook", false)]
    [InlineData("/api/v1/plans", false)]
    [InlineData("/api/v1/tokens", false)]
    public void EndpointRoles_OnEveryNamespace_AuditDeadLettersParkedHooks(string pattern, bool every) =>
        Assert.Equal(every, EndpointRoles.OnEveryNamespace(pattern));
}
