using System.Net;
using Orchestrator.Client;
using Orchestrator.Engine.Tests.EndToEnd;
using Orchestrator.Engine.Tests.Infrastructure;

namespace Orchestrator.Engine.Tests.Client;

/// <summary>Tokens, the audit log and host revocation through the client, against the fleet's real API.</summary>
[Collection(FleetCollection.Name)]
public sealed class ClientIdentityTests(FleetFixture fleet)
{
    private EngineHarness H => fleet.Harness;

    private OrchestratorClient Admin() => new(new OrchestratorClientOptions { BaseAddress = new Uri(H.Server), Token = H.AdminToken });

    private OrchestratorClient With(string token) => new(new OrchestratorClientOptions { BaseAddress = new Uri(H.Server), Token = token });

    [Fact]
    public async Task CreateTokenAsync_ViewerWithExpiry_TokenWorksListedWithoutSecretThenRevokedIsRefused401()
    {
        using var admin = Admin();
        var name = "viewer-" + Guid.NewGuid().ToString("N")[..8];

        var created = await admin.CreateTokenAsync(new TokenRequest(name, new Dictionary<string, IReadOnlyList<string>> { ["default"] = ["viewer"] }, ExpiresIn: TimeSpan.FromHours(2)));

        Assert.StartsWith("orch_", created.Token, StringComparison.Ordinal);
        Assert.Equal(name, created.Name);
        Assert.Equal("admin", created.Owner);
        Assert.Equal(["viewer"], created.Grants["default"]);
        var expiresIn = created.ExpiresAt!.Value - fleet.Clock.GetUtcNow();
        Assert.InRange(expiresIn, TimeSpan.FromHours(2) - TimeSpan.FromMinutes(5), TimeSpan.FromHours(2) + TimeSpan.FromMinutes(1));
        Assert.DoesNotContain(created.Token, created.ToString(), StringComparison.Ordinal);

        using (var viewer = With(created.Token))
        {
            await viewer.ListPlansAsync(new PageRequest(Limit: 1));
            var refused = await Assert.ThrowsAsync<OrchestratorApiException>(() => viewer.ListTokensAsync());
            Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
        }

        var listed = await admin.AllAsync((page, ct) => admin.ListTokensAsync(TokenState.Active, page, ct)).ToListAsync();
        var token = Assert.Single(listed, t => t.Id == created.Id);
        Assert.Equal((name, "admin", false), (token.Name, token.Owner, token.Revoked));
        var got = await admin.GetTokenAsync(created.Id);
        Assert.Equal((token.Id, token.Name, token.ExpiresAt, token.CreatedAt), (got.Id, got.Name, got.ExpiresAt, got.CreatedAt));
        Assert.Equal(["viewer"], got.Grants["default"]);

        var revoked = await admin.RevokeTokenAsync(created.Id);

        Assert.True(revoked.Revoked);
        Assert.Equal("admin", revoked.RevokedBy);
        Assert.Contains(await admin.AllAsync((page, ct) => admin.ListTokensAsync(TokenState.Revoked, page, ct)).ToListAsync(), t => t.Id == created.Id);
        Assert.DoesNotContain(await admin.AllAsync((page, ct) => admin.ListTokensAsync(TokenState.Active, page, ct)).ToListAsync(), t => t.Id == created.Id);
        using var afterRevoke = With(created.Token);
        var refusedAfter = await Assert.ThrowsAsync<OrchestratorApiException>(() => afterRevoke.ListPlansAsync(new PageRequest(Limit: 1)));
        Assert.Equal(HttpStatusCode.Unauthorized, refusedAfter.StatusCode);
    }

    [Fact]
    public async Task CreateTokenAsync_BadRoleAndBothExpiries_400NamesEachField()
    {
        using var admin = Admin();

        var refused = await Assert.ThrowsAsync<OrchestratorApiException>(() => admin.CreateTokenAsync(new TokenRequest("bad",
            new Dictionary<string, IReadOnlyList<string>> { ["default"] = ["superuser"] }, fleet.Clock.GetUtcNow().AddDays(1), TimeSpan.FromDays(1))));

        Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
        Assert.Contains(refused.Errors, e => e.Path.StartsWith("grants.default", StringComparison.Ordinal));
        Assert.Contains(refused.Errors, e => e.Path == "expiresIn");
    }

    [Fact]
    public async Task QueryAuditAsync_FilteredByWhoActionAndTime_FindsTheTokenChangesPagedWithoutTheSecret()
    {
        using var admin = Admin();
        var before = fleet.Clock.GetUtcNow().AddSeconds(-5); // the server's clock
        var name = "audited-" + Guid.NewGuid().ToString("N")[..8];
        var created = await admin.CreateTokenAsync(new TokenRequest(name, new Dictionary<string, IReadOnlyList<string>> { ["default"] = ["operator"] }));
        await admin.RevokeTokenAsync(created.Id);

        var revokes = await admin.QueryAuditAsync(new AuditFilter(Who: "admin", Action: "token.revoke", From: before));
        var creates = await admin.QueryAuditAsync(new AuditFilter(Who: "admin", Action: "token.create", From: before, To: fleet.Clock.GetUtcNow().AddMinutes(1)));
        var none = await admin.QueryAuditAsync(new AuditFilter(Action: "token.revoke", To: before));

        var revoke = Assert.Single(revokes.Items, e => e.Object?.Id == created.Id);
        Assert.Equal(("admin", "POST", 200, "token"), (revoke.Who, revoke.Method, revoke.Status, revoke.Object!.Kind));
        Assert.False(string.IsNullOrEmpty(revoke.TraceId));
        Assert.Contains(creates.Items, e => e.Status == 201);
        Assert.DoesNotContain(none.Items, e => e.Object?.Id == created.Id);
        var byObject = await admin.QueryAuditAsync(new AuditFilter(Object: $"token:{created.Id}"));
        Assert.Equal(["token.revoke", "token.create"], byObject.Items.Select(e => e.Action));
        Assert.All(revokes.Items.Concat(creates.Items), e => Assert.DoesNotContain(created.Token, e.ToString(), StringComparison.Ordinal));

        // Paged: one entry a page, the second page starts after the first.
        var first = await admin.QueryAuditAsync(new AuditFilter(Who: "admin", From: before), new PageRequest(Limit: 1));
        var second = await admin.QueryAuditAsync(new AuditFilter(Who: "admin", From: before), new PageRequest(first.Next, 1));
        Assert.NotNull(first.Next);
        Assert.True(second.Items[0].Id < first.Items[0].Id, $"{second.Items[0].Id} after {first.Items[0].Id}");
    }

    [Fact]
    public async Task QueryAuditAsync_BadObjectKind_400NamesObject()
    {
        using var admin = Admin();

        var refused = await Assert.ThrowsAsync<OrchestratorApiException>(() => admin.QueryAuditAsync(new AuditFilter(Object: "nonsense:1")));

        Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
        Assert.Equal("object", Assert.Single(refused.Errors).Path);
    }

    [Fact]
    public async Task RevokeHostAsync_ThenRestore_RevocationShownThenClearedAndBothAudited()
    {
        using var admin = Admin();
        var host = "ghost-" + Guid.NewGuid().ToString("N")[..8];

        var revoked = await admin.RevokeHostAsync(host);
        var restored = await admin.RestoreHostAsync(host);
        var audit = await admin.QueryAuditAsync(new AuditFilter(Object: $"host:{host}"));

        Assert.Equal((host, "admin"), (revoked!.Host, revoked.RevokedBy));
        Assert.NotNull(revoked.RevokedAt);
        Assert.Equal((host, null, null), (restored.Host, restored.RevokedAt, restored.RevokedBy));
        Assert.Equal(["host.restore", "host.revoke"], audit.Items.Select(e => e.Action));
    }

    [Fact]
    public async Task RestoreHostAsync_HostNeverSeen_404()
    {
        using var admin = Admin();

        var refused = await Assert.ThrowsAsync<OrchestratorApiException>(() => admin.RestoreHostAsync("never-" + Guid.NewGuid().ToString("N")[..8]));

        Assert.Equal(HttpStatusCode.NotFound, refused.StatusCode);
    }

    [Fact]
    public async Task RevokeHostAsync_Operator_Refused403()
    {
        using var operatorClient = With(await H.TokenForAsync("host-operator", new Dictionary<string, string[]> { ["*"] = ["operator"] }));

        var refused = await Assert.ThrowsAsync<OrchestratorApiException>(() => operatorClient.RevokeHostAsync("web-1"));

        Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
    }
}
