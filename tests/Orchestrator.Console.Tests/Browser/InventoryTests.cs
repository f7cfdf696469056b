using Microsoft.Playwright;
using Orchestrator.Console.Tests.Infrastructure;
using static Microsoft.Playwright.Assertions;

namespace Orchestrator.Console.Tests.Browser;

/// <summary>
/// The hosts view (the inventory: agent status, operation, labels, last heartbeat) and the Orleans dashboard link,
/// which only an admin of every namespace is shown. Takes docs/console/inventory.png.
/// </summary>
[Collection(ConsoleCollection.Name)]
public sealed class InventoryTests(ConsoleFixture fixture) : IAsyncLifetime
{
    private IPage _page = null!;
    private readonly List<string> _errors = [];

    public async Task InitializeAsync()
    {
        _page = await fixture.NewPageAsync();
        _page.PageError += (_, e) => _errors.Add(e);
        SetDefaultExpectTimeout(30_000);
    }

    public async Task DisposeAsync() => await _page.Context.CloseAsync();

    private async Task SignInAsync(string token)
    {
        await _page.GotoAsync("/");
        await _page.GetByLabel("API token").FillAsync(token);
        await _page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
        await Expect(_page.Locator("#top")).ToBeVisibleAsync();
    }

    [Fact]
    public async Task HostsView_Admin_ShowsTheLocalHostOnlineWithItsHeartbeatAndTheDashboardLink()
    {
        await SignInAsync(fixture.AdminToken);
        await _page.GetByRole(AriaRole.Navigation, new() { Name = "Main" }).GetByRole(AriaRole.Link, new() { Name = "Hosts" }).ClickAsync();
        var local = _page.Locator("tr[data-inventory-host='local']");
        await Expect(local).ToContainTextAsync("online");
        await Expect(local).ToContainTextAsync("active");
        await Expect(local.Locator("td").Nth(6)).Not.ToHaveTextAsync("—"); // a last heartbeat
        var dashboard = _page.GetByRole(AriaRole.Link, new() { Name = "Orleans dashboard" });
        await Expect(dashboard).ToBeVisibleAsync();
        await Expect(dashboard).ToHaveAttributeAsync("href", "/dashboard/");
        // The link opens for the signed-in admin: the dashboard takes the console's session cookie on reads.
        var dashboardPage = await _page.Context.NewPageAsync();
        var opened = await dashboardPage.GotoAsync("/dashboard/");
        Assert.Equal(200, opened!.Status);
        await dashboardPage.CloseAsync();
        await _page.ScreenshotAsync(new PageScreenshotOptions { Path = ConsoleFixture.Screenshot("inventory.png") });

        // The selector filters on the server: no host has this label.
        await _page.GetByLabel("Label selector").FillAsync("role=none-such");
        await _page.GetByLabel("Label selector").PressAsync("Enter");
        await Expect(_page.Locator("#inventory-body")).ToContainTextAsync("No hosts match role=none-such");
        Assert.True(_errors.Count == 0, string.Join("\n", _errors));
    }

    [Fact]
    public async Task HostsView_Viewer_SeesHostsButNoDashboardLink()
    {
        var (_, token) = await fixture.NewTokenAsync("inventory-viewer", """{"default": ["viewer"]}""");
        await SignInAsync(token);
        await _page.GotoAsync("/#/hosts");
        await Expect(_page.Locator("tr[data-inventory-host='local']")).ToContainTextAsync("online");
        await Expect(_page.GetByRole(AriaRole.Link, new() { Name = "Orleans dashboard" })).ToBeHiddenAsync();
        // Typed by hand, the dashboard refuses the viewer's session.
        var dashboardPage = await _page.Context.NewPageAsync();
        var refused = await dashboardPage.GotoAsync("/dashboard/");
        Assert.Equal(403, refused!.Status);
        await dashboardPage.CloseAsync();
        Assert.True(_errors.Count == 0, string.Join("\n", _errors));
    }
}
