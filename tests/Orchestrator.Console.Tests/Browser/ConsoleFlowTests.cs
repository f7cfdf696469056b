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
public sealed class ConsoleFlowTests(ConsoleFixture fixture) : BrowserTest(fixture)
{

    [Fact]
    public async Task Console_AdminRunsThroughApprovalFailureAndRetry_ShowsEachLive()
    {
        var gate = Path.Combine(Fixture.Scratch, "gate-work");
        var fixedFile = Path.Combine(Fixture.Scratch, "fixed");
        await Fixture.PutPlanAsync("console-flow", $"""
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
        await Page.GotoAsync("/");
        await Expect(Page.GetByLabel("API token")).ToBeVisibleAsync();
        await Expect(Page.Locator("#top")).ToBeHiddenAsync();
        await Page.ScreenshotAsync(new PageScreenshotOptions { Path = ConsoleFixture.Screenshot("signin.png") });
        await Page.GetByLabel("API token").FillAsync(Fixture.AdminToken);
        await Page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
        await Expect(Page.Locator("#principal")).ToHaveTextAsync("admin");

        // Start the plan: the runs list shows it without a reload.
        await Page.EvaluateAsync("() => { window.__sameDocument = true; }");
        var id = await Fixture.RunAsync("console-flow");
        var row = Page.Locator($"tr[data-run='{id}']");
        await Expect(row).ToContainTextAsync("console-flow");
        await Page.ScreenshotAsync(new PageScreenshotOptions { Path = ConsoleFixture.Screenshot("runs.png") });

        // The run: step 0's counts change live when its script goes on.
        await row.GetByRole(AriaRole.Link).ClickAsync();
        var work = Page.Locator("li.step[data-step='0']");
        await Expect(work.Locator("ul.counts li[data-status='running']")).ToContainTextAsync("1");
        File.WriteAllText(gate, "go");
        await Expect(work.Locator("ul.counts li[data-status='succeeded']")).ToContainTextAsync("1");
        await Expect(work.Locator(".status").First).ToHaveTextAsync("succeeded");
        Assert.True(await Page.EvaluateAsync<bool>("() => window.__sameDocument === true"), "the page was reloaded; the counts should change live");

        // Approve with a reason: the approver is shown.
        var signOff = Page.Locator("li.step[data-step='1']");
        await Expect(signOff.Locator(".status").First).ToHaveTextAsync("waiting for approval");
        await signOff.GetByRole(AriaRole.Button, new() { Name = "Approve…" }).ClickAsync();
        await Expect(Page.Locator("#confirm")).ToBeVisibleAsync();
        await Page.GetByLabel("Reason").FillAsync("canary looks healthy");
        await Page.Locator("#confirm-ok").ClickAsync();
        await Expect(signOff.Locator("ul.approvals li")).ToContainTextAsync("Approved by admin");
        await Expect(signOff.Locator("ul.approvals li")).ToContainTextAsync("canary looks healthy");

        // The last step fails on its host: the run says so, the host table and the host's log show why.
        var disk = Page.Locator("li.step[data-step='2']");
        await Expect(disk.Locator(".status").First).ToHaveTextAsync("failed");
        await Expect(Page.Locator("#run-title .status")).ToHaveTextAsync("failed");
        await Expect(disk.Locator("ul.counts li[data-status='failed']")).ToContainTextAsync("1");
        await Page.ScreenshotAsync(new PageScreenshotOptions { Path = ConsoleFixture.Screenshot("run.png") });

        await disk.GetByRole(AriaRole.Link, new() { Name = "Hosts of step 2" }).ClickAsync();
        var host = Page.Locator("tr[data-host='local']");
        await Expect(host).ToContainTextAsync("failed");
        await Expect(host.Locator("td.num").First).ToHaveTextAsync("3");
        await Page.Locator("#hosts-status").SelectOptionAsync("failed");
        await Expect(Page.Locator("tr[data-host='local']")).ToBeVisibleAsync();
        await Expect(Page.Locator("#hosts-counts li[data-status='failed']")).ToContainTextAsync("1");
        await Expect(Page.Locator("#hosts-title")).ToContainTextAsync("disk-check");
        await Page.ScreenshotAsync(new PageScreenshotOptions { Path = ConsoleFixture.Screenshot("hosts.png") });

        await Page.Locator("tr[data-host='local']").GetByRole(AriaRole.Link, new() { Name = "local" }).ClickAsync();
        await Expect(Page.Locator("#log")).ToContainTextAsync("disk full on this host");
        await Expect(Page.Locator("#exit-code")).ToHaveTextAsync("3");
        await Expect(Page.Locator("#log-state")).ToContainTextAsync("Complete");
        await Page.ScreenshotAsync(new PageScreenshotOptions { Path = ConsoleFixture.Screenshot("log.png") });
        // Search: only the lines holding the text, numbered; clearing it shows the whole log again.
        await Page.GetByLabel("Find in log").FillAsync("DISK FULL");
        await Expect(Page.Locator("#log-matches")).ToContainTextAsync("disk full on this host");
        await Expect(Page.Locator("#log")).ToBeHiddenAsync();
        await Expect(Page.Locator("#log-find-state")).ToContainTextAsync("1 of ");
        await Page.GetByLabel("Find in log").FillAsync("no line says this");
        await Expect(Page.Locator("#log-find-state")).ToContainTextAsync("0 of ");
        await Expect(Page.Locator("#log-matches")).ToHaveTextAsync("");
        await Page.GetByLabel("Find in log").FillAsync("");
        await Expect(Page.Locator("#log")).ToBeVisibleAsync();
        await Expect(Page.Locator("#log-matches")).ToBeHiddenAsync();
        var download = await Page.RunAndWaitForDownloadAsync(() => Page.GetByRole(AriaRole.Button, new() { Name = "Download" }).ClickAsync());
        var saved = Path.Combine(Fixture.Folder, "download.log");
        await download.SaveAsAsync(saved);
        Assert.Contains("disk full on this host", File.ReadAllText(saved), StringComparison.Ordinal);

        // Retry the failed targets: the step and the run succeed.
        File.WriteAllText(fixedFile, "fixed");
        await Page.GetByRole(AriaRole.Navigation, new() { Name = "Breadcrumb" }).GetByRole(AriaRole.Link, new() { Name = id }).ClickAsync();
        disk = Page.Locator("li.step[data-step='2']");
        await disk.GetByRole(AriaRole.Button, new() { Name = "Retry failed targets…" }).ClickAsync();
        await Page.Locator("#confirm-ok").ClickAsync();
        await Expect(disk.Locator(".status").First).ToHaveTextAsync("succeeded");
        await Expect(Page.Locator("#run-title .status")).ToHaveTextAsync("succeeded");
        Assert.Equal("succeeded", await Fixture.InstanceStatusAsync(id));
        await Expect(Page.Locator("section[aria-labelledby='history-title']")).ToContainTextAsync("approve");
        AssertNoPageErrors();
    }
}
