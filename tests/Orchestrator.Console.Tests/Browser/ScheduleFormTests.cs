using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.Playwright;
using Orchestrator.Console.Tests.Infrastructure;
using static Microsoft.Playwright.Assertions;

namespace Orchestrator.Console.Tests.Browser;

/// <summary>
/// Schedules made in the console: an admin creates one through the form (the page's own check and the API's field
/// error each shown next to the cron field), sees its next fire, edits it and deletes it after a confirmation; the
/// schedules list and a schedule's page follow changes made elsewhere; a viewer gets no form and its direct saves are
/// refused. Takes docs/console/schedule-form.png.
/// </summary>
[Collection(ConsoleCollection.Name)]
public sealed class ScheduleFormTests(ConsoleFixture fixture) : BrowserTest(fixture)
{
    private const string PlanYaml = """
        name: form nightly
        parameters:
          - name: release
            required: true
        steps:
          - name: report
            targets:
              hosts: [local]
            script: echo "release ${{ params.release }}"
        """;

    private async Task PutScheduleAsync(string planId, string name, string json)
    {
        using var response = await Fixture.Api.PutAsync($"/api/v1/plans/{planId}/schedules/{name}", new StringContent(json, Encoding.UTF8, "application/json"));
        Assert.True(response.IsSuccessStatusCode, $"PUT schedule {planId}/{name}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
    }

    private async Task<JsonElement?> ScheduleAsync(string planId, string name)
    {
        using var response = await Fixture.Api.GetAsync($"/api/v1/plans/{planId}/schedules/{name}");
        return response.StatusCode == HttpStatusCode.NotFound ? null : JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
    }

    [Fact]
    public async Task ScheduleForm_AdminCreatesEditsAndDeletes_ShowsFieldErrorsAndTheNextFire()
    {
        await Fixture.PutPlanAsync("form-nightly", PlanYaml);
        await OpenPageAsync("America/New_York");
        await SignInAsync(Fixture.AdminToken, "admin");
        await Page.GetByRole(AriaRole.Navigation, new() { Name = "Main" }).GetByRole(AriaRole.Link, new() { Name = "Schedules" }).ClickAsync();
        await Page.GetByRole(AriaRole.Link, new() { Name = "New schedule" }).ClickAsync();

        // The plan's parameters appear once the plan is named.
        await Page.GetByLabel("Name", new() { Exact = true }).FillAsync("nightly-form");
        await Page.GetByLabel("Plan", new() { Exact = true }).FillAsync("form-nightly");
        await Page.GetByLabel("Plan", new() { Exact = true }).PressAsync("Tab");
        await Expect(Page.GetByLabel("release (required)")).ToBeVisibleAsync();

        // The page's own checks: a cron of four fields, a required parameter left empty.
        await Page.GetByLabel("Cron").FillAsync("30 2 * *");
        await Page.GetByLabel("Time zone").FillAsync("Asia/Shanghai");
        await Page.GetByRole(AriaRole.Button, new() { Name = "Create" }).ClickAsync();
        await Expect(Page.Locator("#sched-cron-error")).ToContainTextAsync("4 fields");
        await Expect(Page.GetByLabel("Cron")).ToHaveAttributeAsync("aria-invalid", "true");
        await Expect(Page.Locator("#param-release-error")).ToContainTextAsync("Required");
        await Page.ScreenshotAsync(new PageScreenshotOptions { Path = ConsoleFixture.Screenshot("schedule-form.png") });

        // The API's: a minute out of range (five fields pass the page), shown next to the cron field.
        await Page.GetByLabel("Cron").FillAsync("61 2 * * *");
        await Page.GetByLabel("release (required)").FillAsync("r1");
        await Page.GetByRole(AriaRole.Button, new() { Name = "Create" }).ClickAsync();
        await Expect(Page.Locator("#sched-cron-error")).ToContainTextAsync("out of range");
        await Expect(Page.Locator("#param-release-error")).ToBeEmptyAsync();
        Assert.Null(await ScheduleAsync("form-nightly", "nightly-form"));

        // Good values: saved, and the schedule's page shows its next fire in its zone.
        await Page.GetByLabel("Cron").FillAsync("30 2 * * *");
        await Page.GetByLabel("Cron").PressAsync("Tab");
        await Expect(Page.Locator("#sched-preview")).ToContainTextAsync("T02:30:00+08:00");
        await Page.GetByLabel("Overlap policy").SelectOptionAsync("allow");
        await Page.GetByRole(AriaRole.Button, new() { Name = "Create" }).ClickAsync();
        await Expect(Page).ToHaveURLAsync(new Regex("#/schedules/form-nightly/nightly-form$"));
        await Expect(Page.Locator("#next-fires tbody tr").First).ToContainTextAsync("T02:30:00+08:00");
        await Expect(Page.Locator("#schedule-overlap")).ToHaveTextAsync("allow");
        await Expect(Page.Locator("#schedule-parameters")).ToHaveTextAsync("release=r1");
        var created = (await ScheduleAsync("form-nightly", "nightly-form"))!.Value;
        Assert.Equal("Asia/Shanghai", created.GetProperty("spec").GetProperty("timeZone").GetString());
        Assert.Equal(1, created.GetProperty("revision").GetInt32());

        // Edit: the form holds the saved values; the new cron's next fire shows once saved.
        await Page.GetByRole(AriaRole.Link, new() { Name = "Edit" }).ClickAsync();
        await Expect(Page.GetByLabel("Cron")).ToHaveValueAsync("30 2 * * *");
        await Expect(Page.GetByLabel("release (required)")).ToHaveValueAsync("r1");
        await Page.GetByLabel("Cron").FillAsync("45 3 * * *");
        await Page.GetByRole(AriaRole.Button, new() { Name = "Save" }).ClickAsync();
        await Expect(Page).ToHaveURLAsync(new Regex("#/schedules/form-nightly/nightly-form$"));
        await Expect(Page.Locator("#next-fires tbody tr").First).ToContainTextAsync("T03:45:00+08:00");
        var edited = (await ScheduleAsync("form-nightly", "nightly-form"))!.Value;
        Assert.Equal("45 3 * * *", edited.GetProperty("spec").GetProperty("cron").GetString());
        Assert.Equal(2, edited.GetProperty("revision").GetInt32());

        // A change made elsewhere shows on the open page (its event stream).
        using (var suspend = await Fixture.Api.PostAsync("/api/v1/plans/form-nightly/schedules/nightly-form/suspend", null))
        {
            Assert.True(suspend.IsSuccessStatusCode, await suspend.Content.ReadAsStringAsync());
        }
        await Expect(Page.Locator("h1")).ToContainTextAsync("suspended");
        await Expect(Page.GetByRole(AriaRole.Button, new() { Name = "Resume" })).ToBeVisibleAsync();

        // Delete: a dismissed confirmation keeps it, a confirmed one deletes it and goes back to the list.
        await Page.GetByRole(AriaRole.Button, new() { Name = "Delete" }).ClickAsync();
        var dialog = Page.Locator("#confirm");
        await Expect(dialog).ToContainTextAsync("Delete nightly-form?");
        await dialog.GetByRole(AriaRole.Button, new() { Name = "Cancel" }).ClickAsync();
        Assert.NotNull(await ScheduleAsync("form-nightly", "nightly-form"));
        await Page.GetByRole(AriaRole.Button, new() { Name = "Delete" }).ClickAsync();
        await dialog.GetByRole(AriaRole.Button, new() { Name = "Delete" }).ClickAsync();
        await Expect(Page).ToHaveURLAsync(new Regex("#/schedules$"));
        Assert.Null(await ScheduleAsync("form-nightly", "nightly-form"));

        // The list is live: a schedule saved elsewhere appears without a reload.
        await Expect(Page.Locator("#schedules-live")).ToHaveTextAsync("live");
        await Expect(Page.Locator("tr[data-schedule='form-nightly/nightly-form']")).ToHaveCountAsync(0);
        await PutScheduleAsync("form-nightly", "added-elsewhere", """{"cron": "0 6 * * *", "timeZone": "UTC", "parameters": {"release": "r2"}}""");
        await Expect(Page.Locator("tr[data-schedule='form-nightly/added-elsewhere']")).ToContainTextAsync("0 6 * * *");
        AssertNoPageErrors();
    }

    [Fact]
    public async Task ScheduleForm_Viewer_GetsNoFormNorButtonsAndItsSavesAreRefused()
    {
        await Fixture.PutPlanAsync("form-viewed", PlanYaml);
        await PutScheduleAsync("form-viewed", "viewed", """{"cron": "0 5 * * *", "parameters": {"release": "r1"}}""");
        var (_, token) = await Fixture.NewTokenAsync("form-viewer", """{"default": ["viewer"]}""");
        await SignInAsync(token, "form-viewer");

        await Page.GotoAsync("/#/schedules");
        await Expect(Page.Locator("tr[data-schedule='form-viewed/viewed']")).ToBeVisibleAsync();
        await Expect(Page.GetByRole(AriaRole.Link, new() { Name = "New schedule" })).ToHaveCountAsync(0);
        await Page.GotoAsync("/#/schedules/form-viewed/viewed");
        await Expect(Page.Locator("#next-fires")).ToBeVisibleAsync();
        await Expect(Page.GetByRole(AriaRole.Link, new() { Name = "Edit" })).ToHaveCountAsync(0);
        await Expect(Page.GetByRole(AriaRole.Button, new() { Name = "Delete" })).ToHaveCountAsync(0);
        await Page.GotoAsync("/#/plans/form-viewed");
        await Expect(Page.Locator("#plan-of")).ToBeVisibleAsync();
        await Expect(Page.GetByRole(AriaRole.Link, new() { Name = "New schedule" })).ToHaveCountAsync(0);
        await Page.GotoAsync("/#/schedules/form-viewed/viewed/edit");
        await Expect(Page.Locator("main")).ToContainTextAsync("needs the admin role on namespace default");
        await Expect(Page.Locator("#schedule-form")).ToHaveCountAsync(0);

        // The API refuses the viewer's session whatever the page shows.
        Assert.Equal(403, await Page.FetchStatusAsync("PUT", "/api/v1/plans/form-viewed/schedules/viewed"));
        Assert.Equal(403, await Page.FetchStatusAsync("PUT", "/api/v1/plans/form-viewed/schedules/made-by-viewer"));
        Assert.Equal(403, await Page.FetchStatusAsync("DELETE", "/api/v1/plans/form-viewed/schedules/viewed"));
        Assert.NotNull(await ScheduleAsync("form-viewed", "viewed"));
        Assert.Null(await ScheduleAsync("form-viewed", "made-by-viewer"));
        AssertNoPageErrors();
    }
}
