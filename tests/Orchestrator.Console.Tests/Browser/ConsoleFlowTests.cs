using Microsoft.Playwright;
using Orchestrator.Console.Tests.Infrastructure;
using static Microsoft.Playwright.Assertions;

namespace Orchestrator.Console.Tests.Browser;

/// <summary>
/// The console in headless chromium against a real silo and its local agent: an admin signs in, watches a run's step
/// counts change live, approves with a reason, reads a failing host's log, and retries the failed targets. Takes the
/// screenshots in docs/console/.
/// </summary>
[Collection(ConsoleCollection.Name)]
public sealed class ConsoleFlowTests(ConsoleFixture fixture) : IAsyncLifetime
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

    [Fact]
    public async Task Console_AdminRunsThroughApprovalFailureAndRetry_ShowsEachLive()
    {
        var gate = Path.Combine(fixture.Scratch, "gate-work");
        var fixedFile = Path.Combine(fixture.Scratch, "fixed");
        await fixture.PutPlanAsync("console-flow", $"""
            name: console-flow
            steps:
              - name: work
                targets:
                  hosts: [local]
                script: |
                  echo "working on $(hostname)"
                  while [ ! -f '{gate}' ]; do sleep 0.1; done
                  echo "work done"
              - name: sign-off
                approval:
                  message: Go on with the disk check?
              - name: disk-check
                targets:
                  hosts: [local]
                script: |
                  echo "checking the disk"
                  if [ ! -f '{fixedFile}' ]; then echo "disk full on this host" >&2; exit 3; fi
                  echo "disk ok"
            """);

        // Sign in.
        await _page.GotoAsync("/");
        await Expect(_page.GetByLabel("API token")).ToBeVisibleAsync();
        await Expect(_page.Locator("#top")).ToBeHiddenAsync();
        await _page.ScreenshotAsync(new PageScreenshotOptions { Path = ConsoleFixture.Screenshot("signin.png") });
        await _page.GetByLabel("API token").FillAsync(fixture.AdminToken);
        await _page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
        await Expect(_page.Locator("#principal")).ToHaveTextAsync("admin");

        // Start the plan: the runs list shows it without a reload.
        await _page.EvaluateAsync("() => { window.__sameDocument = true; }");
        var id = await fixture.RunAsync("console-flow");
        var row = _page.Locator($"tr[data-run='{id}']");
        await Expect(row).ToContainTextAsync("console-flow");
        await _page.ScreenshotAsync(new PageScreenshotOptions { Path = ConsoleFixture.Screenshot("runs.png") });

        // The run: step 0's counts change live when its script goes on.
        await row.GetByRole(AriaRole.Link).ClickAsync();
        var work = _page.Locator("li.step[data-step='0']");
        await Expect(work.Locator("ul.counts li[data-status='running']")).ToContainTextAsync("1");
        File.WriteAllText(gate, "go");
        await Expect(work.Locator("ul.counts li[data-status='succeeded']")).ToContainTextAsync("1");
        await Expect(work.Locator(".status").First).ToHaveTextAsync("succeeded");
        Assert.True(await _page.EvaluateAsync<bool>("() => window.__sameDocument === true"), "the page was reloaded; the counts should change live");

        // Approve with a reason: the approver is shown.
        var signOff = _page.Locator("li.step[data-step='1']");
        await Expect(signOff.Locator(".status").First).ToHaveTextAsync("waiting for approval");
        await signOff.GetByRole(AriaRole.Button, new() { Name = "Approve…" }).ClickAsync();
        await Expect(_page.Locator("#confirm")).ToBeVisibleAsync();
        await _page.GetByLabel("Reason").FillAsync("canary looks healthy");
        await _page.Locator("#confirm-ok").ClickAsync();
        await Expect(signOff.Locator("ul.approvals li")).ToContainTextAsync("Approved by admin");
        await Expect(signOff.Locator("ul.approvals li")).ToContainTextAsync("canary looks healthy");

        // The last step fails on its host: the run says so, the host table and the host's log show why.
        var disk = _page.Locator("li.step[data-step='2']");
        await Expect(disk.Locator(".status").First).ToHaveTextAsync("failed");
        await Expect(_page.Locator("#run-title .status")).ToHaveTextAsync("failed");
        await Expect(disk.Locator("ul.counts li[data-status='failed']")).ToContainTextAsync("1");
        await _page.ScreenshotAsync(new PageScreenshotOptions { Path = ConsoleFixture.Screenshot("run.png") });

        await disk.GetByRole(AriaRole.Link, new() { Name = "Hosts of step 2" }).ClickAsync();
        var host = _page.Locator("tr[data-host='local']");
        await Expect(host).ToContainTextAsync("failed");
        await Expect(host.Locator("td.num").First).ToHaveTextAsync("3");
        await _page.Locator("#hosts-status").SelectOptionAsync("failed");
        await Expect(_page.Locator("tr[data-host='local']")).ToBeVisibleAsync();
        await Expect(_page.Locator("#hosts-counts li[data-status='failed']")).ToContainTextAsync("1");
        await Expect(_page.Locator("#hosts-title")).ToContainTextAsync("disk-check");
        await _page.ScreenshotAsync(new PageScreenshotOptions { Path = ConsoleFixture.Screenshot("hosts.png") });

        await _page.Locator("tr[data-host='local']").GetByRole(AriaRole.Link, new() { Name = "local" }).ClickAsync();
        await Expect(_page.Locator("#log")).ToContainTextAsync("disk full on this host");
        await Expect(_page.Locator("#exit-code")).ToHaveTextAsync("3");
        await Expect(_page.Locator("#log-state")).ToContainTextAsync("Complete");
        await _page.ScreenshotAsync(new PageScreenshotOptions { Path = ConsoleFixture.Screenshot("log.png") });
        // Search: only the lines holding the text, numbered; clearing it shows the whole log again.
        await _page.GetByLabel("Find in log").FillAsync("DISK FULL");
        await Expect(_page.Locator("#log-matches")).ToContainTextAsync("disk full on this host");
        await Expect(_page.Locator("#log")).ToBeHiddenAsync();
        await Expect(_page.Locator("#log-find-state")).ToContainTextAsync("1 of ");
        await _page.GetByLabel("Find in log").FillAsync("no line says this");
        await Expect(_page.Locator("#log-find-state")).ToContainTextAsync("0 of ");
        await Expect(_page.Locator("#log-matches")).ToHaveTextAsync("");
        await _page.GetByLabel("Find in log").FillAsync("");
        await Expect(_page.Locator("#log")).ToBeVisibleAsync();
        await Expect(_page.Locator("#log-matches")).ToBeHiddenAsync();
        var download = await _page.RunAndWaitForDownloadAsync(() => _page.GetByRole(AriaRole.Button, new() { Name = "Download" }).ClickAsync());
        var saved = Path.Combine(fixture.Folder, "download.log");
        await download.SaveAsAsync(saved);
        Assert.Contains("disk full on this host", File.ReadAllText(saved), StringComparison.Ordinal);

        // Retry the failed targets: the step and the run succeed.
        File.WriteAllText(fixedFile, "fixed");
        await _page.GetByRole(AriaRole.Navigation, new() { Name = "Breadcrumb" }).GetByRole(AriaRole.Link, new() { Name = id }).ClickAsync();
        disk = _page.Locator("li.step[data-step='2']");
        await disk.GetByRole(AriaRole.Button, new() { Name = "Retry failed targets…" }).ClickAsync();
        await _page.Locator("#confirm-ok").ClickAsync();
        await Expect(disk.Locator(".status").First).ToHaveTextAsync("succeeded");
        await Expect(_page.Locator("#run-title .status")).ToHaveTextAsync("succeeded");
        Assert.Equal("succeeded", await fixture.InstanceStatusAsync(id));
        await Expect(_page.Locator("section[aria-labelledby='history-title']")).ToContainTextAsync("approve");
        Assert.True(_errors.Count == 0, string.Join("\n", _errors));
    }
}
