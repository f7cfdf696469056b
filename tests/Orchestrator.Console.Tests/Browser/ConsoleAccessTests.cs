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
public sealed class ConsoleAccessTests(ConsoleFixture fixture) : IAsyncLifetime
{
    private IPage _page = null!;
    private readonly List<string> _errors = [];

    public async Task InitializeAsync()
    {
        _page = await fixture.NewPageAsync();
        _page.PageError += (_, e) => _errors.Add(e);
        SetDefaultExpectTimeout(30_000);
        await fixture.PutPlanAsync("console-wait", """
            name: console-wait
            steps:
              - name: sign-off
                approval:
                  message: Anyone there?
            """);
    }

    public async Task DisposeAsync() => await _page.Context.CloseAsync();

    /// <summary>A request from the page with its session cookie; <paramref name="header"/>: with the console's header.</summary>
    private Task<int> FetchStatusAsync(string method, string path, bool header) =>
        _page.EvaluateAsync<int>(
            "async ([method, path, header]) => (await fetch(path, { method, headers: header ? { 'X-Orch-Console': '1', 'Content-Type': 'application/json' } : { 'Content-Type': 'application/json' }, body: method === 'GET' ? undefined : '{}' })).status",
            new object[] { method, path, header });

    [Fact]
    public async Task Console_Viewer_SeesNoActionsAndIsRefusedActions()
    {
        var (_, token) = await fixture.NewTokenAsync("vera", """{"default": ["viewer"]}""");
        var id = await fixture.RunAsync("console-wait");
        await _page.SignInAsync(token, "vera");

        // The runs list, filtered by status: the waiting run is there, and not among the succeeded ones.
        await _page.Locator("#runs-status").SelectOptionAsync("waitingForApproval");
        await Expect(_page.Locator($"tr[data-run='{id}']")).ToContainTextAsync("waiting for approval");
        await _page.Locator("#runs-status").SelectOptionAsync("succeeded");
        await Expect(_page.Locator("#runs-status")).ToHaveValueAsync("succeeded");
        await Expect(_page.Locator($"tr[data-run='{id}']")).ToHaveCountAsync(0);

        await _page.GotoAsync($"/#/runs/{id}");
        var step = _page.Locator("li.step[data-step='0']");
        await Expect(step.Locator(".status").First).ToHaveTextAsync("waiting for approval");
        await Expect(_page.Locator("#live")).ToHaveTextAsync("live");
        await Expect(_page.Locator("main button")).ToHaveCountAsync(0);
        await Expect(_page.Locator("#read-only")).ToContainTextAsync("Read only");
        await _page.ScreenshotAsync(new PageScreenshotOptions { Path = ConsoleFixture.Screenshot("run-viewer.png") });

        Assert.Equal(403, await FetchStatusAsync("POST", $"/api/v1/task-instances/{id}/steps/0/approve", header: true));
        Assert.Equal(403, await FetchStatusAsync("POST", $"/api/v1/task-instances/{id}/cancel", header: true));
        Assert.Equal(200, await FetchStatusAsync("GET", $"/api/v1/task-instances/{id}", header: true));
        Assert.Equal("waitingForApproval", await fixture.InstanceStatusAsync(id));

        using var cancel = await fixture.Api.PostAsync($"/api/v1/task-instances/{id}/cancel", new StringContent("{}", System.Text.Encoding.UTF8, "application/json"));
        Assert.True(cancel.IsSuccessStatusCode);
        Assert.True(_errors.Count == 0, string.Join("\n", _errors));
    }

    [Fact]
    public async Task Console_AdminOnAWaitingRun_SeesCancelAndApprove()
    {
        var id = await fixture.RunAsync("console-wait");
        await _page.SignInAsync(fixture.AdminToken, "admin");
        await _page.GotoAsync($"/#/runs/{id}");
        await Expect(_page.GetByRole(AriaRole.Button, new() { Name = "Approve…" })).ToBeVisibleAsync();
        await Expect(_page.GetByRole(AriaRole.Button, new() { Name = "Reject…" })).ToBeVisibleAsync();

        // Cancelling asks first: dismissing the dialog changes nothing; confirming cancels the run.
        await _page.GetByRole(AriaRole.Button, new() { Name = "Cancel run…" }).ClickAsync();
        await _page.Locator("#confirm-cancel").ClickAsync();
        Assert.Equal("waitingForApproval", await fixture.InstanceStatusAsync(id));
        await _page.GetByRole(AriaRole.Button, new() { Name = "Cancel run…" }).ClickAsync();
        await _page.GetByLabel("Reason").FillAsync("not today");
        await _page.Locator("#confirm-ok").ClickAsync();
        await Expect(_page.Locator("#run-title .status")).ToHaveTextAsync("cancelled");
        await Expect(_page.Locator("main button")).ToHaveCountAsync(0);
        Assert.True(_errors.Count == 0, string.Join("\n", _errors));
    }

    [Fact]
    public async Task Console_KeyboardOnly_SignsInAndApprovesWithAReason()
    {
        var id = await fixture.RunAsync("console-wait");
        await _page.GotoAsync($"/#/runs/{id}");
        await Expect(_page.GetByLabel("API token")).ToBeFocusedAsync(); // the sign-in field has the focus
        await _page.Keyboard.TypeAsync(fixture.AdminToken);
        await _page.Keyboard.PressAsync("Enter");
        await Expect(_page.Locator("li.step[data-step='0'] .status").First).ToHaveTextAsync("waiting for approval");

        // Tab through the page to the approve button; every control on the way is reachable.
        var approve = _page.GetByRole(AriaRole.Button, new() { Name = "Approve…" });
        for (var i = 0; i < 30 && !await approve.EvaluateAsync<bool>("b => b === document.activeElement"); i++)
        {
            await _page.Keyboard.PressAsync("Tab");
        }
        await Expect(approve).ToBeFocusedAsync();
        await _page.Keyboard.PressAsync("Enter");
        await Expect(_page.GetByLabel("Reason")).ToBeFocusedAsync();
        await _page.Keyboard.PressAsync("Escape"); // Escape cancels: nothing is sent
        await Expect(_page.Locator("#confirm")).ToBeHiddenAsync();
        await Expect(approve).ToBeFocusedAsync();
        Assert.Equal("waitingForApproval", await fixture.InstanceStatusAsync(id));

        await _page.Keyboard.PressAsync("Enter");
        await _page.Keyboard.TypeAsync("approved from the keyboard");
        await _page.Keyboard.PressAsync("Tab"); // Cancel
        await _page.Keyboard.PressAsync("Tab"); // Approve
        await Expect(_page.Locator("#confirm-ok")).ToBeFocusedAsync();
        await _page.Keyboard.PressAsync("Enter");
        await Expect(_page.Locator("li.step[data-step='0'] ul.approvals li")).ToContainTextAsync("approved from the keyboard");
        await Expect(_page.Locator("#run-title .status")).ToHaveTextAsync("succeeded");
        Assert.True(_errors.Count == 0, string.Join("\n", _errors));
    }

    [Fact]
    public async Task SessionCookie_WithoutConsoleHeader_IsNotACredential()
    {
        await _page.SignInAsync(fixture.AdminToken, "admin");
        var cookies = await _page.Context.CookiesAsync();
        var session = Assert.Single(cookies, c => c.Name == "orch_console");
        Assert.True(session.HttpOnly);
        Assert.Equal(SameSiteAttribute.Strict, session.SameSite);
        Assert.Null(await _page.EvaluateAsync<string?>("() => document.cookie.includes('orch_console') ? document.cookie : null"));

        Assert.Equal(200, await FetchStatusAsync("GET", "/api/v1/me", header: true));
        Assert.Equal(401, await FetchStatusAsync("GET", "/api/v1/me", header: false));
        Assert.Equal(401, await FetchStatusAsync("POST", "/api/v1/plans/console-wait/run", header: false));
        Assert.Equal(400, await FetchStatusAsync("DELETE", "/console/session", header: false));
    }

    [Fact]
    public async Task Console_RevokedToken_SignsOutAtTheNextRequest()
    {
        var (tokenId, token) = await fixture.NewTokenAsync("rita", """{"default": ["operator"]}""");
        await _page.SignInAsync(token, "rita");
        await Expect(_page.GetByRole(AriaRole.Heading, new() { Name = "Runs" })).ToBeVisibleAsync();

        using var revoke = await fixture.Api.PostAsync($"/api/v1/tokens/{tokenId}/revoke", null);
        Assert.True(revoke.IsSuccessStatusCode);
        // The runs list reads its page again every few seconds: that request is refused, and the console signs out.
        await Expect(_page.GetByLabel("API token")).ToBeVisibleAsync();
        await Expect(_page.Locator("#toast")).ToContainTextAsync("session ended");
        await Expect(_page.Locator("#top")).ToBeHiddenAsync();
        Assert.True(_errors.Count == 0, string.Join("\n", _errors));
    }

    [Fact]
    public async Task Console_SignOut_DeletesTheCookie()
    {
        await _page.SignInAsync(fixture.AdminToken, "admin");
        await _page.GetByRole(AriaRole.Button, new() { Name = "Sign out" }).ClickAsync();
        await Expect(_page.GetByLabel("API token")).ToBeVisibleAsync();
        Assert.DoesNotContain(await _page.Context.CookiesAsync(), c => c.Name == "orch_console");
        await _page.ReloadAsync();
        await Expect(_page.GetByLabel("API token")).ToBeVisibleAsync();
        Assert.True(_errors.Count == 0, string.Join("\n", _errors));
    }

    [Fact]
    public async Task SignIn_BadToken_ShowsWhyAndSetsNoCookie()
    {
        await _page.GotoAsync("/");
        await _page.GetByLabel("API token").FillAsync("orch_aaaaaaaaaaaa_" + new string((char)65, 43));
        await _page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
        await Expect(_page.Locator("#signin-error")).ToContainTextAsync("Unknown API token");
        Assert.DoesNotContain(await _page.Context.CookiesAsync(), c => c.Name == "orch_console");
        var me = await _page.EvaluateAsync<JsonElement>("async () => (await fetch('/api/v1/me', { headers: { 'X-Orch-Console': '1' } })).status");
        Assert.Equal(401, me.GetInt32());
        Assert.True(_errors.Count == 0, string.Join("\n", _errors));
    }
}
