using System.Text.Json;
using Microsoft.Playwright;
using Orchestrator.Console.Tests.Infrastructure;
using Orchestrator.Runtime.Tests.Infrastructure;
using static Microsoft.Playwright.Assertions;

namespace Orchestrator.Console.Tests.Browser;

/// <summary>
/// The step view's output groups against real agents: the silo's local agent and two more agent processes (hosts
/// grp-1 and grp-2) run a script that prints something else and exits 3 on grp-2; the step page shows two groups
/// (2 hosts: exit 0 "disk ok", 1 host: exit 3 "disk full"), a group opens its own hosts from the server, and the host
/// prefix filter narrows the table. Takes docs/console/step.png.
/// </summary>
[Collection(ConsoleCollection.Name)]
public sealed class StepGroupsTests(ConsoleFixture fixture) : BrowserTest(fixture)
{
    private readonly List<AgentProcess> _agents = [];

    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        foreach (var host in new[] { "grp-1", "grp-2" })
        {
            _agents.Add(AgentProcess.Start(Fixture.Server, Fixture.AgentToken, Path.Combine(Fixture.Folder, host), "--host", host));
        }
        await Eventually.Until(OnlineAsync, online => (online.Contains("grp-1") && online.Contains("grp-2")) || _agents.Any(a => a.HasExited),
            TimeSpan.FromSeconds(60), "grp-1 and grp-2 online");
        Assert.False(_agents.Any(a => a.HasExited), string.Join("\n", _agents.Select(a => a.Log)));
    }

    private async Task<HashSet<string>> OnlineAsync()
    {
        var items = System.Text.Json.JsonDocument.Parse(await Fixture.Api.GetStringAsync("/api/v1/hosts?limit=1000")).RootElement.GetProperty("items");
        return [.. items.EnumerateArray().Where(i => i.GetProperty("status").GetString() == "online").Select(i => i.GetProperty("host").GetString()!)];
    }

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        foreach (var agent in _agents)
        {
            await agent.DisposeAsync();
        }
    }

    [Fact]
    public async Task StepView_HostsPrintingDifferentOutputs_GroupsThemAndOpensEachGroupsHosts()
    {
        await Fixture.PutPlanAsync("console-groups", """
            name: console-groups
            steps:
              - name: disk-check
                targets:
                  hosts: [local, grp-1, grp-2]
                script: |
                  if [ "$ORCH_HOST" = grp-2 ]; then echo "disk full: /var at 100%"; exit 3; fi
                  echo "disk ok"
                execution:
                  failureBudget: 1   # grp-2's failure must not stop a host still running: every host reports
            """);
        var id = await Fixture.RunAsync("console-groups");
        await Eventually.Until(() => Fixture.InstanceStatusAsync(id), s => s is "failed" or "succeeded", TimeSpan.FromSeconds(60), "the run to end");

        // The API: the groups, and one group's hosts paged from the server (one a page here).
        // The groups are the step's record of its hosts' reports, which may trail the run's final status by a moment.
        var reply = await Eventually.Until(async () => JsonDocument.Parse(await Fixture.Api.GetStringAsync($"/api/v1/task-instances/{id}/steps/0/groups")).RootElement,
            r => r.GetProperty("grouped").GetInt32() == 3, TimeSpan.FromSeconds(30), "the step's groups to hold its three hosts");
        Assert.Equal((3, 0), (reply.GetProperty("grouped").GetInt32(), reply.GetProperty("other").GetInt32()));
        var ok = reply.GetProperty("groups")[0];
        Assert.True((2, 0, "succeeded", "disk ok") == (ok.GetProperty("count").GetInt32(), ok.GetProperty("exitCode").GetInt32(), ok.GetProperty("status").GetString(), ok.GetProperty("excerpt").GetString()),
            $"the largest group is not the two hosts that printed 'disk ok': {reply}");
        var hosts = new List<string>();
        string? after = null;
        do
        {
            var page = JsonDocument.Parse(await Fixture.Api.GetStringAsync($"/api/v1/task-instances/{id}/steps/0/targets?group={ok.GetProperty("key").GetString()}&limit=1"
                + (after is null ? "" : "&after=" + after))).RootElement;
            hosts.AddRange(page.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("host").GetString()!));
            after = page.TryGetProperty("next", out var next) && next.ValueKind == JsonValueKind.String ? next.GetString() : null; // absent on the last page
        }
        while (after is not null);
        Assert.Equal(["grp-1", "local"], hosts);

        await SignInAsync(Fixture.AdminToken, "admin");
        await Page.GotoAsync($"/#/runs/{id}/steps/0");

        var groups = Page.Locator("#groups ul.groups > li[data-group]");
        await Expect(groups).ToHaveCountAsync(2);
        await Expect(groups.Nth(0)).ToContainTextAsync("2 hosts: exit 0");
        await Expect(groups.Nth(0)).ToContainTextAsync("succeeded");
        await Expect(groups.Nth(0).Locator("code.excerpt")).ToHaveTextAsync("disk ok");
        await Expect(groups.Nth(1)).ToContainTextAsync("1 host: exit 3");
        await Expect(groups.Nth(1)).ToContainTextAsync("failed");
        await Expect(groups.Nth(1).Locator("code.excerpt")).ToHaveTextAsync("disk full: /var at 100%");
        await Expect(Page.Locator("#hosts-counts li[data-status='failed']")).ToContainTextAsync("1");
        await Expect(Page.Locator("#hosts-scroll tr[data-host]")).ToHaveCountAsync(3);
        await Page.ScreenshotAsync(new PageScreenshotOptions { Path = ConsoleFixture.Screenshot("step.png") });

        // A group opens its own hosts (read from the server with ?group=).
        await groups.Nth(1).GetByRole(AriaRole.Link).ClickAsync();
        await Expect(Page.Locator("#group-chosen")).ToContainTextAsync("1 host: exit 3");
        await Expect(Page.Locator("#hosts-scroll tr[data-host]")).ToHaveCountAsync(1);
        await Expect(Page.Locator("#hosts-scroll tr[data-host='grp-2']")).ToContainTextAsync("failed");
        await Page.ScreenshotAsync(new PageScreenshotOptions { Path = ConsoleFixture.Screenshot("step-group.png") });

        await Page.Locator("#group-chosen").GetByRole(AriaRole.Link, new() { Name = "all hosts" }).ClickAsync();
        await groups.Nth(0).GetByRole(AriaRole.Link).ClickAsync();
        await Expect(Page.Locator("#hosts-scroll tr[data-host]")).ToHaveCountAsync(2);
        await Expect(Page.Locator("#hosts-scroll tr[data-host='grp-2']")).ToHaveCountAsync(0);

        // The host prefix filter, typed and submitted with the keyboard.
        await Page.Locator("#group-chosen").GetByRole(AriaRole.Link, new() { Name = "all hosts" }).ClickAsync();
        await Page.GetByLabel("Host starts with").FillAsync("grp-");
        await Page.GetByLabel("Host starts with").PressAsync("Enter");
        await Expect(Page.Locator("#hosts-scroll tr[data-host]")).ToHaveCountAsync(2);
        await Expect(Page.Locator("#hosts-scroll tr[data-host='local']")).ToHaveCountAsync(0);

        // By status and by name descending, paged from the server (one host a page: a status order's cursor carries the status across statuses).
        Assert.Equal(["grp-2", "grp-1", "local"], await HostsAsync(id, "sort=-status"));
        Assert.Equal(["grp-1", "local", "grp-2"], await HostsAsync(id, "sort=status"));
        Assert.Equal(["grp-1", "local"], await HostsAsync(id, "sort=-status&status=succeeded,pending"));
        Assert.Equal(["grp-2", "grp-1"], await HostsAsync(id, "sort=-status&prefix=grp-"));
        Assert.Equal(["local", "grp-2", "grp-1"], await HostsAsync(id, "sort=-name"));
        Assert.Equal(["grp-2", "grp-1"], await HostsAsync(id, "sort=-name&prefix=grp-"));
        Assert.Equal(["grp-1"], await HostsAsync(id, "sort=-name&status=succeeded&prefix=grp"));
        await Page.GotoAsync($"/#/runs/{id}/steps/0");
        await Page.GetByLabel("Order").SelectOptionAsync("-status");
        var rows = Page.Locator("#hosts-scroll tr[data-host]");
        await Expect(rows).ToHaveCountAsync(3);
        await Expect(rows.Nth(0)).ToHaveAttributeAsync("data-host", "grp-2");
        await Expect(rows.Nth(1)).ToHaveAttributeAsync("data-host", "grp-1");
        await Expect(rows.Nth(2)).ToHaveAttributeAsync("data-host", "local");
        await Expect(Page.Locator("#hosts-window")).ToContainTextAsync("by status, failures first");
        await Expect(Page.Locator("th[aria-sort='descending']")).ToContainTextAsync("Status");
        AssertNoPageErrors();
    }

    /// <summary>Every host of step 0 in the order <paramref name="query"/> asks for, read a host a page.</summary>
    private async Task<List<string>> HostsAsync(string id, string query)
    {
        var hosts = new List<string>();
        string? after = null;
        do
        {
            var page = JsonDocument.Parse(await Fixture.Api.GetStringAsync($"/api/v1/task-instances/{id}/steps/0/targets?{query}&limit=1" + (after is null ? "" : "&after=" + after))).RootElement;
            hosts.AddRange(page.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("host").GetString()!));
            after = page.TryGetProperty("next", out var next) && next.ValueKind == JsonValueKind.String ? next.GetString() : null;
        }
        while (after is not null);
        return hosts;
    }
}
