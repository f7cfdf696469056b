using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.Playwright;
using Orchestrator.Console.Tests.Infrastructure;
using static Microsoft.Playwright.Assertions;

namespace Orchestrator.Console.Tests.Browser;

/// <summary>
/// A plan's page and the plans list follow new versions saved elsewhere, each version with when and by whom it was
/// saved; the run form starts a delayed run (and checks the delay first).
/// </summary>
[Collection(ConsoleCollection.Name)]
public sealed class PlanLiveTests(ConsoleFixture fixture) : BrowserTest(fixture)
{
    private static string Yaml(string echo) => $"""
        name: live versions
        steps:
          - name: say
            targets:
              hosts: [local]
            script: echo "{echo}"
        """;

    [Fact]
    public async Task PlanView_VersionSavedThroughTheApi_AppearsLiveWithWhenAndByWhomItWasSaved()
    {
        await Fixture.PutPlanAsync("live-versions", Yaml("one"));
        await SignInAsync(Fixture.AdminToken, "admin");
        await Page.GotoAsync("/#/plans/live-versions");
        await Expect(Page.Locator("#plan-of")).ToHaveTextAsync("version 1 of 1");
        var first = Page.Locator("#versions-table tr[data-version='1']");
        await Expect(first.Locator("td").Nth(3)).ToHaveTextAsync("admin");
        await Expect(first.Locator("td").Nth(2)).Not.ToHaveTextAsync(new Regex("^—|^$"));

        // Saved elsewhere: the page names version 2 with its time and author, and still shows version 1.
        await Fixture.PutPlanAsync("live-versions", Yaml("two"));
        await Expect(Page.Locator("#plan-of")).ToHaveTextAsync("version 1 of 2");
        var second = Page.Locator("#versions-table tr[data-version='2']");
        await Expect(second.Locator("td").Nth(3)).ToHaveTextAsync("admin");
        var reply = JsonDocument.Parse(await Fixture.Api.GetStringAsync("/api/v1/plans/live-versions/versions")).RootElement;
        var savedAt = reply.GetProperty("versions")[0].GetProperty("savedAt").GetDateTimeOffset();
        Assert.Equal(2, reply.GetProperty("versions")[0].GetProperty("version").GetInt32());
        var shown = await Page.EvaluateAsync<string>("(at) => new Date(at).toLocaleString(undefined, { dateStyle: 'short', timeStyle: 'medium' })", savedAt.ToString("O"));
        await Expect(second.Locator("td").Nth(2)).ToHaveTextAsync(shown);
        await Expect(Page.Locator("nav.versions a[data-version='2']")).ToBeVisibleAsync();
        await Expect(Page.GetByLabel("Version 1 beside").Locator("option[value='2']")).ToHaveCountAsync(1);

        // The plans list too.
        await Page.GotoAsync("/#/plans");
        var row = Page.Locator("tr[data-plan='live-versions']");
        await Expect(row.Locator("td").Nth(3)).ToHaveTextAsync("2");
        await Fixture.PutPlanAsync("live-versions", Yaml("three"));
        await Expect(row.Locator("td").Nth(3)).ToHaveTextAsync("3");
        AssertNoPageErrors();
    }

    [Fact]
    public async Task RunForm_Delay_ChecksItThenStartsAScheduledRun()
    {
        await Fixture.PutPlanAsync("live-delayed", Yaml("later"));
        await SignInAsync(Fixture.AdminToken, "admin");
        await Page.GotoAsync("/#/plans/live-delayed");
        await Page.GetByLabel("after", new() { Exact = true }).CheckAsync();
        await Page.GetByLabel("Delay", new() { Exact = true }).FillAsync("soon");
        await Page.GetByRole(AriaRole.Button, new() { Name = "Run", Exact = true }).ClickAsync();
        await Expect(Page.Locator("#run-delay-error")).ToContainTextAsync("90s, 5m or 1h30m");
        await Expect(Page.Locator("#confirm")).Not.ToBeVisibleAsync();

        await Page.GetByLabel("Delay", new() { Exact = true }).FillAsync("1h");
        await Page.GetByRole(AriaRole.Button, new() { Name = "Run", Exact = true }).ClickAsync();
        var dialog = Page.Locator("#confirm");
        await Expect(dialog).ToContainTextAsync("starting after 1h");
        await dialog.GetByRole(AriaRole.Button, new() { Name = "Run" }).ClickAsync();
        var id = await WaitForRunPageAsync();
        await Expect(Page.Locator("main")).ToContainTextAsync("scheduled");
        Assert.Equal("scheduled", (await Fixture.InstanceStatusAsync(id)).ToLowerInvariant());
        using var cancel = await Fixture.Api.PostAsync($"/api/v1/task-instances/{id}/cancel", new StringContent("{}", System.Text.Encoding.UTF8, "application/json"));
        Assert.True(cancel.IsSuccessStatusCode, await cancel.Content.ReadAsStringAsync());
        AssertNoPageErrors();
    }
}
