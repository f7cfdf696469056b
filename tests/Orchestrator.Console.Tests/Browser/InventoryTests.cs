using Microsoft.Playwright;
using Orchestrator.Console.Tests.Infrastructure;
using static Microsoft.Playwright.Assertions;

namespace Orchestrator.Console.Tests.Browser;

/// <summary>
/// The hosts view (the inventory: agent status, operation, labels, last heartbeat) and the Orleans dashboard link,
/// which only an admin of every namespace is shown. Takes docs/console/inventory.png.
/// </summary>
[Collection(ConsoleCollection.Name)]
public sealed class InventoryTests(ConsoleFixture fixture) : BrowserTest(fixture)
{

    [Fact]
    public async Task HostsView_Admin_ShowsTheLocalHostOnlineWithItsHeartbeatAndTheDashboardLink()
    {
        await SignInAsync(Fixture.AdminToken, "admin");
        await Page.GetByRole(AriaRole.Navigation, new() { Name = "Main" }).GetByRole(AriaRole.Link, new() { Name = "Hosts" }).ClickAsync();
        var local = Page.Locator("tr[data-inventory-host='local']");
        await Expect(local).ToContainTextAsync("online");
        await Expect(local).ToContainTextAsync("active");
        await Expect(local.Locator("td").Nth(6)).Not.ToHaveTextAsync("—"); // a last heartbeat
        var dashboard = Page.GetByRole(AriaRole.Link, new() { Name = "Orleans dashboard" });
        await Expect(dashboard).ToBeVisibleAsync();
        await Expect(dashboard).ToHaveAttributeAsync("href", "/dashboard/");
        // The link opens for the signed-in admin: the dashboard takes the console's session cookie on reads.
        var dashboardPage = await Page.Context.NewPageAsync();
        var opened = await dashboardPage.GotoAsync("/dashboard/");
        Assert.Equal(200, opened!.Status);
        await dashboardPage.CloseAsync();
        await Page.ScreenshotAsync(new PageScreenshotOptions { Path = ConsoleFixture.Screenshot("inventory.png") });

        // The selector filters on the server: no host has this label.
        await Page.GetByLabel("Label selector").FillAsync("role=none-such");
        await Page.GetByLabel("Label selector").PressAsync("Enter");
        await Expect(Page.Locator("#inventory-body")).ToContainTextAsync("No hosts match role=none-such");
        AssertNoPageErrors();
    }

    [Fact]
    public async Task HostsView_Viewer_SeesHostsButNoDashboardLink()
    {
        var (_, token) = await Fixture.NewTokenAsync("inventory-viewer", """{"default": ["viewer"]}""");
        await SignInAsync(token, "inventory-viewer");
        await Page.GotoAsync("/#/hosts");
        await Expect(Page.Locator("tr[data-inventory-host='local']")).ToContainTextAsync("online");
        await Expect(Page.GetByRole(AriaRole.Link, new() { Name = "Orleans dashboard" })).ToBeHiddenAsync();
        // Typed by hand, the dashboard refuses the viewer's session.
        var dashboardPage = await Page.Context.NewPageAsync();
        var refused = await dashboardPage.GotoAsync("/dashboard/");
        Assert.Equal(403, refused!.Status);
        await dashboardPage.CloseAsync();
        AssertNoPageErrors();
    }
}
