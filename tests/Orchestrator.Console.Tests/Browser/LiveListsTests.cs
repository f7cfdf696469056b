using System.Text.RegularExpressions;
using Microsoft.Playwright;
using Orchestrator.Console.Tests.Infrastructure;
using Orchestrator.Runtime.Tests.Infrastructure;
using static Microsoft.Playwright.Assertions;

namespace Orchestrator.Console.Tests.Browser;

/// <summary>
/// The runs list filtered on the server (plan, status, who started it, time) newest first, and the runs and hosts lists
/// live over their event streams rather than polling: a change shows without a reload and without the page asking for
/// the list again; the streams list only what the caller's namespaces allow. The hosts view shows what each host runs,
/// linked to its log. Takes docs/console/runs-filtered.png and docs/console/hosts-running.png.
/// </summary>
[Collection(ConsoleCollection.Name)]
public sealed class LiveListsTests(ConsoleFixture fixture) : BrowserTest(fixture)
{
    private readonly List<string> _listReads = [];

    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        // A list read by the page (not its event stream): there must be none once a live view is open.
        Page.Request += (_, r) =>
        {
            if (Regex.IsMatch(r.Url, "/api/v1/(task-instances|hosts)(\\?|$)"))
            {
                lock (_listReads)
                {
                    _listReads.Add(r.Url);
                }
            }
        };
        foreach (var plan in new[] { "live-a", "live-b" })
        {
            await Fixture.PutPlanAsync(plan, $"""
                name: {plan}
                steps:
                  - name: sign-off
                    approval:
                      message: Waiting on purpose
                """);
        }
    }


    private async Task<string> RunAsAsync(string token, string plan)
    {
        using var client = new HttpClient { BaseAddress = new Uri(Fixture.Server) };
        client.DefaultRequestHeaders.Authorization = new("Bearer", token);
        using var response = await client.PostAsync($"/api/v1/plans/{plan}/run", new StringContent("{}", System.Text.Encoding.UTF8, "application/json"));
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, body);
        return System.Text.Json.JsonDocument.Parse(body).RootElement.GetProperty("id").GetString()!;
    }

    private async Task CancelAsync(string id)
    {
        using var cancel = await Fixture.Api.PostAsync($"/api/v1/task-instances/{id}/cancel", new StringContent("{}", System.Text.Encoding.UTF8, "application/json"));
        Assert.True(cancel.IsSuccessStatusCode);
    }

    [Fact]
    public async Task RunsList_FiltersOnTheServer_NewestFirst_AndUpdatesLiveWithoutListReads()
    {
        var (_, starterToken) = await Fixture.NewTokenAsync("starter", """{"default": ["operator"]}""");
        var byStarter = await RunAsAsync(starterToken, "live-a");
        var older = await Fixture.RunAsync("live-a");
        await Fixture.RunAsync("live-a");
        await RunAsAsync(starterToken, "live-b");

        await SignInAsync(Fixture.AdminToken, "admin");
        await Page.GotoAsync("/#/runs?plan=live-a");
        var rows = Page.Locator("#runs-body tbody tr");
        await Expect(rows).ToHaveCountAsync(3);
        await Expect(rows.Filter(new() { HasText = "live-a v" })).ToHaveCountAsync(3);
        // Newest first, by the second each run was created (runs of one second in id order).
        var created = await rows.EvaluateAllAsync<string[]>("rs => rs.map(r => r.dataset.created.slice(0, 19))");
        Assert.Equal(created.OrderByDescending(c => c, StringComparer.Ordinal), created);

        // Who started it, with the plan: the starter's run alone.
        await Page.GetByLabel("Started by").FillAsync("starter");
        await Page.GetByRole(AriaRole.Button, new() { Name = "Filter" }).ClickAsync();
        await Expect(Page).ToHaveURLAsync(new Regex("by=starter"));
        await Expect(rows).ToHaveCountAsync(1);
        await Expect(Page.Locator($"tr[data-run='{byStarter}'] td").Nth(4)).ToHaveTextAsync("starter");
        await Page.ScreenshotAsync(new PageScreenshotOptions { Path = ConsoleFixture.Screenshot("runs-filtered.png") });

        // A time range after every run: none. A plan id the API refuses: its reason, naming the field.
        await Page.GetByLabel("Started by").FillAsync("");
        await Page.GetByLabel("From").FillAsync("2999-01-01T00:00");
        await Page.GetByRole(AriaRole.Button, new() { Name = "Filter" }).ClickAsync();
        await Expect(Page.Locator("#runs-body")).ToContainTextAsync("No runs match.");
        await Page.GotoAsync("/#/runs?plan=" + Uri.EscapeDataString("not a plan"));
        await Expect(Page.Locator("#toast")).ToContainTextAsync("plan");

        // Live: the waiting runs of live-a; cancelling one takes it off this page without a reload or a list read.
        await Page.GotoAsync("/#/runs?plan=live-a&status=waitingForApproval");
        await Expect(rows).ToHaveCountAsync(3);
        await Page.EvaluateAsync("() => { window.__sameDocument = true; }");
        lock (_listReads)
        {
            _listReads.Clear();
        }
        await CancelAsync(older);
        await Expect(Page.Locator($"tr[data-run='{older}']")).ToHaveCountAsync(0);
        await Expect(rows).ToHaveCountAsync(2);
        var third = await Fixture.RunAsync("live-a");
        await Expect(rows.First).ToHaveAttributeAsync("data-run", third);
        Assert.True(await Page.EvaluateAsync<bool>("() => window.__sameDocument === true"));
        lock (_listReads)
        {
            Assert.True(_listReads.Count == 0, "the page read the list: " + string.Join(", ", _listReads));
        }
        AssertNoPageErrors();
    }

    [Fact]
    public async Task LiveLists_ViewerOfAnotherNamespace_StreamsNoneOfDefaultsRunsOrHosts()
    {
        await Fixture.RunAsync("live-b");
        var (_, token) = await Fixture.NewTokenAsync("other-team", """{"team-x": ["viewer"]}""");
        await SignInAsync(token, "other-team");
        await Expect(Page.Locator("#runs-live")).ToHaveTextAsync("live");
        await Expect(Page.Locator("#runs-body")).ToHaveTextAsync("No runs.");
        await Page.GotoAsync("/#/hosts");
        await Expect(Page.Locator("#inventory-live")).ToHaveTextAsync("live");
        await Expect(Page.Locator("#inventory-body")).ToHaveTextAsync("No hosts.");
        // Asked for directly, the stream of default's runs sends an empty page to this caller.
        var first = await Page.EvaluateAsync<string>("""
            async () => {
              const res = await fetch('/api/v1/events/task-instances?namespace=default', { headers: { 'X-Orch-Console': '1' } });
              const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
              let text = '';
              while (!text.includes('event: page')) text += (await reader.read()).value;
              while (!/event: page\ndata: .*\n\n/.test(text)) text += (await reader.read()).value;
              reader.cancel();
              return /data: (.*)\n/.exec(text.slice(text.indexOf('event: page')))[1];
            }
            """);
        Assert.StartsWith("""{"items":[]""", first, StringComparison.Ordinal);
        AssertNoPageErrors();
    }

    [Fact]
    public async Task HostsView_ShowsWhatEachHostRunsLinkedToItsLog_AndDropsItLiveWhenDone()
    {
        var gate = Path.Combine(Fixture.Scratch, "gate-hosts-running");
        await Fixture.PutPlanAsync("live-work", $"""
            name: live-work
            steps:
              - name: work
                targets:
                  hosts: [local]
                script: |
                  echo "busy on purpose"
                  while [ ! -f '{gate}' ]; do sleep 0.1; done
            """);
        var id = await Fixture.RunAsync("live-work");

        await SignInAsync(Fixture.AdminToken, "admin");
        await Page.GetByRole(AriaRole.Navigation, new() { Name = "Main" }).GetByRole(AriaRole.Link, new() { Name = "Hosts" }).ClickAsync();
        var entry = Page.Locator($"tr[data-inventory-host='local'] li[data-running='{id}:0:local']");
        await Expect(entry).ToContainTextAsync($"run {id[..8]}…, step 0");
        await Expect(entry).ToContainTextAsync("started");
        await Page.ScreenshotAsync(new PageScreenshotOptions { Path = ConsoleFixture.Screenshot("hosts-running.png") });

        // The entry opens the host's log in that run's step.
        await entry.GetByRole(AriaRole.Link).ClickAsync();
        await Expect(Page).ToHaveURLAsync(new Regex($"#/runs/{id}/steps/0/hosts/local\\?run=1$"));
        await Expect(Page.Locator("pre.log")).ToContainTextAsync("busy on purpose");

        // Back on the hosts, the work ends: the entry goes without a reload.
        await Page.GoBackAsync();
        await Expect(entry).ToBeVisibleAsync();
        await Page.EvaluateAsync("() => { window.__sameDocument = true; }");
        File.WriteAllText(gate, "go");
        await Expect(entry).ToHaveCountAsync(0);
        await Expect(Page.Locator("tr[data-inventory-host='local'] td").Nth(7)).ToHaveTextAsync("nothing");
        Assert.True(await Page.EvaluateAsync<bool>("() => window.__sameDocument === true"));
        AssertNoPageErrors();
    }
}
