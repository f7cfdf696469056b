using System.Text.Json;
using Microsoft.Playwright;
using Orchestrator.Console.Tests.Infrastructure;
using static Microsoft.Playwright.Assertions;

namespace Orchestrator.Console.Tests.Browser;

/// <summary>
/// What the console's session may do: a viewer sees no actions and is refused one sent directly with its session; the
/// session cookie alone (without the console's header) authenticates nothing; a revoked token signs the console out;
/// sign-out deletes the cookie.
/// </summary>
[Collection(ConsoleCollection.Name)]
public sealed class ConsoleAccessTests(ConsoleFixture fixture) : BrowserTest(fixture)
{

    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        await Fixture.PutPlanAsync("console-wait", """
            name: console-wait
            steps:
              - name: sign-off
                approval:
                  message: Anyone there?
            """);
    }


    /// <summary>A request from the page with its session cookie; <paramref name="header"/>: with the console's header.</summary>
    private Task<int> FetchStatusAsync(string method, string path, bool header) =>
        Page.EvaluateAsync<int>(
            "async ([method, path, header]) => (await fetch(path, { method, headers: header ? { 'X-Orch-Console': '1', 'Content-Type': 'application/json' } : { 'Content-Type': 'application/json' }, body: method === 'GET' ? undefined : '{}' })).status",
            new object[] { method, path, header });

    [Fact]
    public async Task Console_Viewer_SeesNoActionsAndIsRefusedActions()
    {
        var (_, token) = await Fixture.NewTokenAsync("vera", """{"default": ["viewer"]}""");
        var id = await Fixture.RunAsync("console-wait");
        await SignInAsync(token, "vera");

        // The runs list, filtered by status: the waiting run is there, and not among the succeeded ones.
        await Page.Locator("#runs-status").SelectOptionAsync("waitingForApproval");
        await Expect(Page.Locator($"tr[data-run='{id}']")).ToContainTextAsync("waiting for approval");
        await Page.Locator("#runs-status").SelectOptionAsync("succeeded");
        await Expect(Page.Locator("#runs-status")).ToHaveValueAsync("succeeded");
        await Expect(Page.Locator($"tr[data-run='{id}']")).ToHaveCountAsync(0);

        await Page.GotoAsync($"/#/runs/{id}");
        var step = Page.Locator("li.step[data-step='0']");
        await Expect(step.Locator(".status").First).ToHaveTextAsync("waiting for approval");
        await Expect(Page.Locator("#live")).ToHaveTextAsync("live");
        await Expect(Page.Locator("main button")).ToHaveCountAsync(0);
        await Expect(Page.Locator("#read-only")).ToContainTextAsync("Read only");
        await Page.ScreenshotAsync(new PageScreenshotOptions { Path = ConsoleFixture.Screenshot("run-viewer.png") });

        Assert.Equal(403, await FetchStatusAsync("POST", $"/api/v1/task-instances/{id}/steps/0/approve", header: true));
        Assert.Equal(403, await FetchStatusAsync("POST", $"/api/v1/task-instances/{id}/cancel", header: true));
        Assert.Equal(200, await FetchStatusAsync("GET", $"/api/v1/task-instances/{id}", header: true));
        Assert.Equal("waitingForApproval", await Fixture.InstanceStatusAsync(id));

        using var cancel = await Fixture.Api.PostAsync($"/api/v1/task-instances/{id}/cancel", new StringContent("{}", System.Text.Encoding.UTF8, "application/json"));
        Assert.True(cancel.IsSuccessStatusCode);
        AssertNoPageErrors();
    }

    [Fact]
    public async Task Console_AdminOnAWaitingRun_SeesCancelAndApprove()
    {
        var id = await Fixture.RunAsync("console-wait");
        await SignInAsync(Fixture.AdminToken, "admin");
        await Page.GotoAsync($"/#/runs/{id}");
        await Expect(Page.GetByRole(AriaRole.Button, new() { Name = "Approve…" })).ToBeVisibleAsync();
        await Expect(Page.GetByRole(AriaRole.Button, new() { Name = "Reject…" })).ToBeVisibleAsync();

        // Cancelling asks first: dismissing the dialog changes nothing; confirming cancels the run.
        await Page.GetByRole(AriaRole.Button, new() { Name = "Cancel run…" }).ClickAsync();
        await Page.Locator("#confirm-cancel").ClickAsync();
        Assert.Equal("waitingForApproval", await Fixture.InstanceStatusAsync(id));
        await Page.GetByRole(AriaRole.Button, new() { Name = "Cancel run…" }).ClickAsync();
        await Page.GetByLabel("Reason").FillAsync("not today");
        await Page.Locator("#confirm-ok").ClickAsync();
        await Expect(Page.Locator("#run-title .status")).ToHaveTextAsync("cancelled");
        await Expect(Page.Locator("main button")).ToHaveCountAsync(0);
        AssertNoPageErrors();
    }

    [Fact]
    public async Task Console_KeyboardOnly_SignsInAndApprovesWithAReason()
    {
        var id = await Fixture.RunAsync("console-wait");
        await Page.GotoAsync($"/#/runs/{id}");
        await Expect(Page.GetByLabel("API token")).ToBeFocusedAsync(); // the sign-in field has the focus
        await Page.Keyboard.TypeAsync(Fixture.AdminToken);
        await Page.Keyboard.PressAsync("Enter");
        await Expect(Page.Locator("li.step[data-step='0'] .status").First).ToHaveTextAsync("waiting for approval");

        // Tab through the page to the approve button; every control on the way is reachable.
        var approve = Page.GetByRole(AriaRole.Button, new() { Name = "Approve…" });
        for (var i = 0; i < 30 && !await approve.EvaluateAsync<bool>("b => b === document.activeElement"); i++)
        {
            await Page.Keyboard.PressAsync("Tab");
        }
        await Expect(approve).ToBeFocusedAsync();
        await Page.Keyboard.PressAsync("Enter");
        await Expect(Page.GetByLabel("Reason")).ToBeFocusedAsync();
        await Page.Keyboard.PressAsync("Escape"); // Escape cancels: nothing is sent
        await Expect(Page.Locator("#confirm")).ToBeHiddenAsync();
        await Expect(approve).ToBeFocusedAsync();
        Assert.Equal("waitingForApproval", await Fixture.InstanceStatusAsync(id));

        await Page.Keyboard.PressAsync("Enter");
        await Page.Keyboard.TypeAsync("approved from the keyboard");
        await Page.Keyboard.PressAsync("Tab"); // Cancel
        await Page.Keyboard.PressAsync("Tab"); // Approve
        await Expect(Page.Locator("#confirm-ok")).ToBeFocusedAsync();
        await Page.Keyboard.PressAsync("Enter");
        await Expect(Page.Locator("li.step[data-step='0'] ul.approvals li")).ToContainTextAsync("approved from the keyboard");
        await Expect(Page.Locator("#run-title .status")).ToHaveTextAsync("succeeded");
        AssertNoPageErrors();
    }

    [Fact]
    public async Task SessionCookie_WithoutConsoleHeader_IsNotACredential()
    {
        await SignInAsync(Fixture.AdminToken, "admin");
        var cookies = await Page.Context.CookiesAsync();
        var session = Assert.Single(cookies, c => c.Name == "orch_console");
        Assert.True(session.HttpOnly);
        Assert.Equal(SameSiteAttribute.Strict, session.SameSite);
        Assert.Null(await Page.EvaluateAsync<string?>("() => document.cookie.includes('orch_console') ? document.cookie : null"));

        Assert.Equal(200, await FetchStatusAsync("GET", "/api/v1/me", header: true));
        Assert.Equal(401, await FetchStatusAsync("GET", "/api/v1/me", header: false));
        Assert.Equal(401, await FetchStatusAsync("POST", "/api/v1/plans/console-wait/run", header: false));
        Assert.Equal(400, await FetchStatusAsync("DELETE", "/console/session", header: false));
    }

    [Fact]
    public async Task Console_RevokedToken_SignsOutAtTheNextRequest()
    {
        var (tokenId, token) = await Fixture.NewTokenAsync("rita", """{"default": ["operator"]}""");
        await SignInAsync(token, "rita");
        await Expect(Page.GetByRole(AriaRole.Heading, new() { Name = "Runs" })).ToBeVisibleAsync();

        using var revoke = await Fixture.Api.PostAsync($"/api/v1/tokens/{tokenId}/revoke", null);
        Assert.True(revoke.IsSuccessStatusCode);
        // The runs list reads its page again every few seconds: that request is refused, and the console signs out.
        await Expect(Page.GetByLabel("API token")).ToBeVisibleAsync();
        await Expect(Page.Locator("#toast")).ToContainTextAsync("session ended");
        await Expect(Page.Locator("#top")).ToBeHiddenAsync();
        AssertNoPageErrors();
    }

    [Fact]
    public async Task Console_SignOut_DeletesTheCookie()
    {
        await SignInAsync(Fixture.AdminToken, "admin");
        await Page.GetByRole(AriaRole.Button, new() { Name = "Sign out" }).ClickAsync();
        await Expect(Page.GetByLabel("API token")).ToBeVisibleAsync();
        Assert.DoesNotContain(await Page.Context.CookiesAsync(), c => c.Name == "orch_console");
        await Page.ReloadAsync();
        await Expect(Page.GetByLabel("API token")).ToBeVisibleAsync();
        AssertNoPageErrors();
    }

    [Fact]
    public async Task SignIn_BadToken_ShowsWhyAndSetsNoCookie()
    {
        await Page.GotoAsync("/");
        await Page.GetByLabel("API token").FillAsync("orch_aaaaaaaaaaaa_" + new string((char)65, 43));
        await Page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
        await Expect(Page.Locator("#signin-error")).ToContainTextAsync("Unknown API token");
        Assert.DoesNotContain(await Page.Context.CookiesAsync(), c => c.Name == "orch_console");
        var me = await Page.EvaluateAsync<JsonElement>("async () => (await fetch('/api/v1/me', { headers: { 'X-Orch-Console': '1' } })).status");
        Assert.Equal(401, me.GetInt32());
        AssertNoPageErrors();
    }
}
