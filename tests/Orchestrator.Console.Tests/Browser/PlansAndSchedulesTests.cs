using System.Net;
using System.Text;
using System.Text.Json;
using Microsoft.Playwright;
using Orchestrator.Console.Tests.Infrastructure;
using Orchestrator.Runtime.Tests.Infrastructure;
using static Microsoft.Playwright.Assertions;

namespace Orchestrator.Console.Tests.Browser;

/// <summary>
/// The plans and schedules views: a plan's YAML with line numbers, two versions side by side with a diff, the run form
/// (a secret parameter goes to the run and is nowhere in the page afterwards), a schedule's next fires in its zone and
/// the viewer's, suspend/resume and run now, and a viewer who is shown none of the buttons. Takes
/// docs/console/plans.png, plan-diff.png and schedules.png.
/// </summary>
[Collection(ConsoleCollection.Name)]
public sealed class PlansAndSchedulesTests(ConsoleFixture fixture) : BrowserTest(fixture)
{
    private const string Secret = "s3cr3t-Tq9-zebra";

    private static string PlanYaml(string name, string echo) => $$$"""
        name: {{{name}}}
        description: Deploys a release to the servers.
        parameters:
          - name: release
            required: true
            description: The release to deploy.
          - name: servers
            type: hostList
            default: local
          - name: token
            type: secret
            required: true
        steps:
          - name: deploy
            targets:
              parameter: servers
            script: |
              echo "{{{echo}}} ${{ params.release }}"
              test -n "$ORCH_PARAM_TOKEN" && echo "token given"
        """;

    private async Task PutScheduleAsync(string planId, string name, string json)
    {
        using var response = await Fixture.Api.PutAsync($"/api/v1/plans/{planId}/schedules/{name}", new StringContent(json, Encoding.UTF8, "application/json"));
        Assert.True(response.IsSuccessStatusCode, $"PUT schedule {planId}/{name}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
    }

    [Fact]
    public async Task PlanView_OperatorRunsWithASecretParameter_RunSucceedsAndTheSecretIsNowhereInThePage()
    {
        await Fixture.PutPlanAsync("console-deploy", PlanYaml("console deploy", "deploying"));
        await Fixture.PutPlanAsync("console-deploy", PlanYaml("console deploy", "rolling out"));
        var (_, token) = await Fixture.NewTokenAsync("plans-operator", """{"default": ["operator"]}""");
        await SignInAsync(token, "plans-operator");

        // The list, then the plan's page: version 2 of 2, its YAML with line numbers.
        await Page.GetByRole(AriaRole.Navigation, new() { Name = "Main" }).GetByRole(AriaRole.Link, new() { Name = "Plans" }).ClickAsync();
        var row = Page.Locator("tr[data-plan='console-deploy']");
        await Expect(row).ToContainTextAsync("console deploy");
        await Expect(row.Locator("td").Nth(3)).ToHaveTextAsync("2");
        await row.GetByRole(AriaRole.Link, new() { Name = "console deploy" }).ClickAsync();
        await Expect(Page.Locator("h1")).ToContainTextAsync("version 2 of 2");
        var code = Page.GetByRole(AriaRole.Table, new() { Name = "Plan console-deploy version 2 (YAML)" });
        await Expect(code.Locator("tr").First.Locator("td.ln")).ToHaveTextAsync("1");
        await Expect(code).ToContainTextAsync("rolling out");
        await Expect(Page.GetByLabel("token (secret, required)")).ToHaveAttributeAsync("type", "password");
        await Expect(Page.GetByLabel("servers (host list)")).ToHaveValueAsync("local");
        await Page.ScreenshotAsync(new PageScreenshotOptions { Path = ConsoleFixture.Screenshot("plans.png") });

        // Version 1 beside version 2: the changed script line is paired, the rest is the same.
        await Page.GetByLabel("Version 2 beside").SelectOptionAsync("1");
        var diff = Page.Locator("#plan-diff");
        await Expect(Page.Locator("#diff-summary")).ToHaveTextAsync("1 line differs.");
        var changed = diff.Locator("tr.d-change");
        await Expect(changed).ToHaveCountAsync(1);
        await Expect(changed.Locator("td").Nth(1)).ToContainTextAsync("deploying");
        await Expect(changed.Locator("td").Nth(4)).ToContainTextAsync("rolling out");
        await changed.ScrollIntoViewIfNeededAsync();
        await Page.ScreenshotAsync(new PageScreenshotOptions { Path = ConsoleFixture.Screenshot("plan-diff.png") });

        // Run with the secret: confirm, then the new run's page. First the stream's first event, which redraws the
        // versions above the form (when each was saved), so the form does not move under the clicks.
        await Expect(Page.Locator("#versions-table tr[data-version='2'] td").Nth(2)).Not.ToHaveTextAsync("…");
        await Page.GetByLabel("release (required)").FillAsync("r42");
        await Page.GetByLabel("token (secret, required)").FillAsync(Secret);
        await Page.GetByRole(AriaRole.Button, new() { Name = "Run", Exact = true }).ClickAsync();
        var dialog = Page.Locator("#confirm");
        await Expect(dialog).ToBeVisibleAsync();
        await Expect(dialog).ToContainTextAsync("token: (secret, given)");
        await Expect(dialog).Not.ToContainTextAsync(Secret);
        await dialog.GetByRole(AriaRole.Button, new() { Name = "Run" }).ClickAsync();
        var id = await WaitForRunPageAsync();
        await Eventually.Until(() => Fixture.InstanceStatusAsync(id), s => s is "Succeeded" or "succeeded" or "Failed" or "failed", TimeSpan.FromSeconds(60), $"run {id} finished");
        Assert.Equal("succeeded", (await Fixture.InstanceStatusAsync(id)).ToLowerInvariant());
        var instance = JsonDocument.Parse(await Fixture.Api.GetStringAsync($"/api/v1/task-instances/{id}")).RootElement;
        Assert.Equal("r42", instance.GetProperty("parameters").GetProperty("release").GetString());
        Assert.Equal("***", instance.GetProperty("parameters").GetProperty("token").GetString());
        await Expect(Page.Locator("main")).ToContainTextAsync("succeeded");

        // Nowhere in the page: not in its markup, its text, nor any field's value (the form is gone, and was cleared).
        var html = await Page.ContentAsync();
        var values = await Page.EvaluateAsync<string>("() => [...document.querySelectorAll('input, textarea')].map((e) => e.value).join('\\n') + document.body.innerText");
        Assert.DoesNotContain(Secret, html, StringComparison.Ordinal);
        Assert.DoesNotContain(Secret, values, StringComparison.Ordinal);
        AssertNoPageErrors();
    }

    [Fact]
    public async Task ScheduleView_Admin_ShowsNextFiresInBothZonesAndSuspendsResumesAndRunsNow()
    {
        await Fixture.PutPlanAsync("console-nightly", """
            name: console nightly
            steps:
              - name: tidy
                targets: { hosts: [local] }
                script: echo tidy
            """);
        await PutScheduleAsync("console-nightly", "nightly", """{"cron": "30 2 * * *", "timeZone": "Asia/Shanghai", "description": "Tidy up at night."}""");
        await OpenPageAsync("America/New_York");
        await SignInAsync(Fixture.AdminToken, "admin");

        await Page.GotoAsync("/#/schedules");
        var row = Page.Locator("tr[data-schedule='console-nightly/nightly']");
        await Expect(row).ToContainTextAsync("Asia/Shanghai");
        await Expect(row).ToContainTextAsync("active");
        await Expect(row.Locator("td").Nth(7)).ToContainTextAsync("1:30:00 PM"); // 02:30 in Shanghai is 13:30 in New York (winter)
        await row.GetByRole(AriaRole.Link, new() { Name = "nightly", Exact = true }).ClickAsync();

        var fires = Page.Locator("#next-fires");
        await Expect(fires.Locator("tbody tr")).ToHaveCountAsync(10);
        await Expect(fires.Locator("thead")).ToContainTextAsync("In Asia/Shanghai (the schedule's zone)");
        await Expect(fires.Locator("thead")).ToContainTextAsync("In America/New_York (yours)");
        var first = fires.Locator("tbody tr").First;
        await Expect(first.Locator("td").Nth(0)).ToContainTextAsync("02:30");
        await Expect(first.Locator("td").Nth(1)).ToContainTextAsync("1:30:00 PM");
        await Expect(first.Locator("td").Nth(2)).ToContainTextAsync("T18:30:00Z");
        await Page.ScreenshotAsync(new PageScreenshotOptions { Path = ConsoleFixture.Screenshot("schedules.png") });

        // Suspend (confirmed), then resume: the state follows, and the API agrees.
        await Page.GetByRole(AriaRole.Button, new() { Name = "Suspend" }).ClickAsync();
        await Page.Locator("#confirm").GetByRole(AriaRole.Button, new() { Name = "Suspend" }).ClickAsync();
        await Expect(Page.Locator("h1")).ToContainTextAsync("suspended");
        Assert.True(await SuspendedAsync("console-nightly", "nightly"));
        await Page.GetByRole(AriaRole.Button, new() { Name = "Resume" }).ClickAsync();
        await Page.Locator("#confirm").GetByRole(AriaRole.Button, new() { Name = "Resume" }).ClickAsync();
        await Expect(Page.Locator("h1")).ToContainTextAsync("active");
        Assert.False(await SuspendedAsync("console-nightly", "nightly"));

        // Cancelled in the dialog: nothing starts. Confirmed: the run's page.
        await Page.GetByRole(AriaRole.Button, new() { Name = "Run now" }).ClickAsync();
        await Page.Locator("#confirm").GetByRole(AriaRole.Button, new() { Name = "Cancel" }).ClickAsync();
        await Expect(Page.Locator("#next-fires")).ToBeVisibleAsync();
        await Page.GetByRole(AriaRole.Button, new() { Name = "Run now" }).ClickAsync();
        await Page.Locator("#confirm").GetByRole(AriaRole.Button, new() { Name = "Run now" }).ClickAsync();
        await WaitForRunPageAsync();
        var schedule = JsonDocument.Parse(await Fixture.Api.GetStringAsync("/api/v1/plans/console-nightly/schedules/nightly")).RootElement;
        var runs = schedule.GetProperty("runs");
        Assert.Equal(1, runs.GetArrayLength());
        Assert.EndsWith(runs[0].GetProperty("instanceId").GetString()!, Uri.UnescapeDataString(Page.Url), StringComparison.Ordinal);
        AssertNoPageErrors();
    }

    [Fact]
    public async Task PlanAndScheduleViews_Viewer_SeeNoRunSuspendOrRunNowButtons()
    {
        await Fixture.PutPlanAsync("console-viewed", PlanYaml("console viewed", "viewing"));
        await PutScheduleAsync("console-viewed", "hourly", """{"cron": "0 * * * *", "timeZone": "UTC", "parameters": {"release": "r1", "token": "t"}}""");
        var (_, token) = await Fixture.NewTokenAsync("plans-viewer", """{"default": ["viewer"]}""");
        await SignInAsync(token, "plans-viewer");

        await Page.GotoAsync("/#/plans/console-viewed");
        await Expect(Page.GetByRole(AriaRole.Table, new() { Name = "Plan console-viewed version 1 (YAML)" })).ToContainTextAsync("viewing");
        await Expect(Page.Locator("tr[data-schedule='console-viewed/hourly']")).ToBeVisibleAsync();
        await Expect(Page.Locator("#run-form")).ToHaveCountAsync(0);
        await Expect(Page.Locator("main")).Not.ToContainTextAsync("null"); // an absent part leaves nothing, not the word
        await Expect(Page.GetByRole(AriaRole.Button, new() { Name = "Run" })).ToHaveCountAsync(0);

        await Page.Locator("tr[data-schedule='console-viewed/hourly']").GetByRole(AriaRole.Link, new() { Name = "hourly", Exact = true }).ClickAsync();
        await Expect(Page.Locator("#next-fires tbody tr")).ToHaveCountAsync(10);
        await Expect(Page.GetByRole(AriaRole.Button)).ToHaveCountAsync(1); // "Sign out" only
        await Expect(Page.Locator("main")).Not.ToContainTextAsync("null");
        await Expect(Page.GetByRole(AriaRole.Button, new() { Name = "Sign out" })).ToBeVisibleAsync();

        // The API refuses the viewer too, whatever the page shows.
        using var viewer = new HttpClient { BaseAddress = Fixture.Api.BaseAddress };
        viewer.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", token);
        using var suspend = await viewer.PostAsync("/api/v1/plans/console-viewed/schedules/hourly/suspend", null);
        Assert.Equal(HttpStatusCode.Forbidden, suspend.StatusCode);
        AssertNoPageErrors();
    }

    [Fact]
    public async Task LineDiff_ChangesAddsAndPastTheCap_PairsRowsOrSaysTooLarge()
    {
        await SignInAsync(Fixture.AdminToken, "admin");
        // The page's own module, run in the page: rows as "kind left-number right-number".
        var small = await Page.EvaluateAsync<string>("""
            async () => {
              const { diffLines } = await import('/console/js/linediff.js');
              const { rows, tooLarge } = diffLines('a\nb\nc\nd\n', 'a\nB\nc\nd\ne\n');
              return tooLarge + ':' + rows.map((r) => `${r.kind} ${r.left ? r.left.n : '-'} ${r.right ? r.right.n : '-'}`).join(',');
            }
            """);
        Assert.Equal("false:same 1 1,change 2 2,same 3 3,same 4 4,add - 5", small);
        // 2,100 different lines on each side (a common first and last line cut off first) is past 4,000,000 cells.
        var large = await Page.EvaluateAsync<string>("""
            async () => {
              const { diffLines, MAX_CELLS } = await import('/console/js/linediff.js');
              const text = (p) => ['same', ...Array.from({ length: 2100 }, (_, i) => `${p}${i}`), 'end'].join('\n');
              const big = diffLines(text('x'), text('y'));
              const fits = diffLines(text('x'), text('x').replace('x7\n', 'z7\n'));
              return `${MAX_CELLS} ${big.tooLarge} ${big.rows.length} ${fits.tooLarge} ${fits.rows.filter((r) => r.kind !== 'same').length}`;
            }
            """);
        Assert.Equal("4000000 true 0 false 1", large);
        AssertNoPageErrors();
    }

    private async Task<bool> SuspendedAsync(string planId, string name) =>
        JsonDocument.Parse(await Fixture.Api.GetStringAsync($"/api/v1/plans/{planId}/schedules/{name}")).RootElement.GetProperty("spec").GetProperty("suspend").GetBoolean();
}
