using System.Text.Json;
using Microsoft.Data.Sqlite;
using Microsoft.Playwright;
using Orchestrator.Console.Tests.Infrastructure;
using Orchestrator.GrainInterfaces;
using Orchestrator.Runtime.Durable;
using Orchestrator.Runtime.Tests.Infrastructure;
using static Microsoft.Playwright.Assertions;

namespace Orchestrator.Console.Tests.Browser;

/// <summary>
/// The views that span every namespace: the audit log (an admin of every namespace's; filtered on the server) and the
/// dead letters and parked hook deliveries (read by a viewer of every namespace, replayed by an admin of every
/// namespace). A caller of one namespace is shown neither link, and the API refuses its session's requests.
/// Takes docs/console/audit.png and docs/console/parked.png.
/// </summary>
[Collection(ConsoleCollection.Name)]
public sealed class AuditAndParkedTests(ConsoleFixture fixture) : BrowserTest(fixture)
{

    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        await Fixture.PutPlanAsync("console-audited", """
            name: console-audited
            steps:
              - name: sign-off
                approval:
                  message: Audit me
            """);
    }


    private ILocator Nav(string name) =>
        Page.GetByRole(AriaRole.Navigation, new() { Name = "Main" }).GetByRole(AriaRole.Link, new() { Name = name });

    [Fact]
    public async Task AuditView_Admin_ShowsWhoDidWhatOnWhichRunAndFiltersOnTheServer()
    {
        var (_, viewerToken) = await Fixture.NewTokenAsync("audit-viewer", """{"default": ["viewer"]}""");
        var id = await Fixture.RunAsync("console-audited");
        using (var viewer = new HttpClient { BaseAddress = new Uri(Fixture.Server) })
        {
            viewer.DefaultRequestHeaders.Authorization = new("Bearer", viewerToken);
            using var refused = await viewer.PostAsync($"/api/v1/task-instances/{id}/cancel", new StringContent("{}", System.Text.Encoding.UTF8, "application/json"));
            Assert.Equal(403, (int)refused.StatusCode);
        }
        using (var cancel = await Fixture.Api.PostAsync($"/api/v1/task-instances/{id}/cancel", new StringContent("{}", System.Text.Encoding.UTF8, "application/json")))
        {
            Assert.True(cancel.IsSuccessStatusCode);
        }

        await SignInAsync(Fixture.AdminToken, "admin");
        await Nav("Audit").ClickAsync();
        await Expect(Page.GetByRole(AriaRole.Heading, new() { Name = "Audit" })).ToBeVisibleAsync();
        // Newest first: the admin's cancel above the viewer's refused one, and the run (on its plan) further down.
        var rows = Page.Locator("#audit-body tbody tr");
        var mine = rows.Filter(new() { HasText = $"instance:{id}" });
        await Expect(mine).ToHaveCountAsync(2);
        await Expect(mine.Nth(0)).ToContainTextAsync("instance.cancel");
        await Expect(mine.Nth(0)).ToContainTextAsync("done 200");
        await Expect(mine.Nth(0).Locator("td").Nth(1)).ToHaveTextAsync("admin");
        await Expect(mine.Nth(1)).ToContainTextAsync("instance.cancel");
        await Expect(mine.Nth(1).Locator("td").Nth(1)).ToHaveTextAsync("audit-viewer");
        await Expect(mine.Nth(1)).ToContainTextAsync("refused 403");
        await Expect(mine.Nth(1)).ToContainTextAsync("Forbidden");
        await Expect(rows.Filter(new() { HasText = "plan:console-audited" }).First).ToContainTextAsync("plan.run");
        await Expect(mine.Nth(0).Locator("code.trace")).ToHaveTextAsync(new System.Text.RegularExpressions.Regex("^[0-9a-f]{32}$"));
        await Page.ScreenshotAsync(new PageScreenshotOptions { Path = ConsoleFixture.Screenshot("audit.png") });

        // The filters go to the API: who and object together leave the viewer's refused cancel alone.
        await Page.GetByLabel("Who").FillAsync("audit-viewer");
        await Page.GetByLabel("Object").FillAsync($"instance:{id}");
        await Page.GetByRole(AriaRole.Button, new() { Name = "Filter" }).ClickAsync();
        await Expect(Page).ToHaveURLAsync(new System.Text.RegularExpressions.Regex("who=audit-viewer"));
        await Expect(rows).ToHaveCountAsync(1);
        await Expect(rows.First).ToContainTextAsync("instance.cancel");
        // A time range after every entry: none.
        await Page.GetByLabel("Who").FillAsync("");
        await Page.GetByLabel("From").FillAsync("2999-01-01T00:00");
        await Page.GetByRole(AriaRole.Button, new() { Name = "Filter" }).ClickAsync();
        await Expect(Page.Locator("#audit-body")).ToContainTextAsync("No entries match.");
        // A filter the API refuses is shown with the API's reason, naming the field.
        await Page.GotoAsync("/#/audit?object=nonsense");
        await Expect(Page.Locator("#toast")).ToContainTextAsync("object");
        AssertNoPageErrors();
    }

    [Fact]
    public async Task AuditAndParked_NamespaceViewer_HasNoLinksAndIsRefusedByTheApi()
    {
        var (_, token) = await Fixture.NewTokenAsync("ns-viewer", """{"default": ["viewer", "operator"]}""");
        await SignInAsync(token, "ns-viewer");
        await Expect(Nav("Runs")).ToBeVisibleAsync();
        await Expect(Nav("Audit")).ToBeHiddenAsync();
        await Expect(Nav("Dead letters")).ToBeHiddenAsync();
        Assert.Equal(403, await Page.FetchStatusAsync("GET", "/api/v1/audit"));
        Assert.Equal(403, await Page.FetchStatusAsync("GET", "/api/v1/dead-letters"));
        Assert.Equal(403, await Page.FetchStatusAsync("GET", "/api/v1/hooks/parked"));
        // Typed by hand, the view shows the API's refusal and no replay button.
        await Page.GotoAsync("/#/parked");
        await Expect(Page.Locator("#toast")).ToContainTextAsync("on namespace '*'");
        await Expect(Page.Locator("main button")).ToHaveCountAsync(0);
        AssertNoPageErrors();
    }

    [Fact]
    public async Task Parked_ViewerOfEveryNamespace_SeesTheListsButNoReplayAndIsRefusedOne()
    {
        var id = await Fixture.RunAsync("console-audited");
        using (var cancel = await Fixture.Api.PostAsync($"/api/v1/task-instances/{id}/cancel", new StringContent("{}", System.Text.Encoding.UTF8, "application/json")))
        {
            Assert.True(cancel.IsSuccessStatusCode);
        }
        await Eventually.Until(() => Fixture.InstanceStatusAsync(id), s => s == "cancelled", TimeSpan.FromSeconds(30), "the run cancelled");
        var letter = await ParkCancelOfStepAsync(id);
        var (_, token) = await Fixture.NewTokenAsync("all-viewer", """{"*": ["viewer", "operator"]}""");
        await SignInAsync(token, "all-viewer");
        await Expect(Nav("Audit")).ToBeHiddenAsync(); // the audit log is an admin's read
        await Nav("Dead letters").ClickAsync();
        await Expect(Page.Locator($"tr[data-letter='{letter}']")).ToContainTextAsync($"step/{id}:0");
        await Expect(Page.Locator("main button")).ToHaveCountAsync(0);
        Assert.Equal(403, await Page.FetchStatusAsync("GET", "/api/v1/audit"));
        Assert.Equal(403, await Page.FetchStatusAsync("POST", $"/api/v1/dead-letters/{letter}/replay"));
        Assert.Equal(403, await Page.FetchStatusAsync("POST", $"/api/v1/task-instances/{id}/hook/replay"));
        Assert.Contains($"\"messageId\":{letter}", await Fixture.Api.GetStringAsync("/api/v1/dead-letters?limit=1000"), StringComparison.Ordinal);
        AssertNoPageErrors();
    }

    [Fact]
    public async Task ParkedView_Admin_ReplaysADeadLetterAndAParkedHookDeliveryShowingTheAnswers()
    {
        // A hook whose receiver is down (nothing listens on the port): its events park within seconds (the fixture's settings).
        var port = FreePort();
        var id = await Fixture.RunAsync("console-audited", $$$"""{"statusHook": {"url": "http://127.0.0.1:{{{port}}}/hook?token=s3cret"}}""");
        await Eventually.Until(() => Fixture.Api.GetStringAsync("/api/v1/hooks/parked?limit=1000"), s => s.Contains($"instance:{id}", StringComparison.Ordinal),
            TimeSpan.FromSeconds(60), "the run's hook event parked");
        // The run ends (its step with it), so that the parked Cancel below finds a final step and changes nothing.
        using (var cancel = await Fixture.Api.PostAsync($"/api/v1/task-instances/{id}/cancel", new StringContent("{}", System.Text.Encoding.UTF8, "application/json")))
        {
            Assert.True(cancel.IsSuccessStatusCode);
        }
        await Eventually.Until(() => Fixture.InstanceStatusAsync(id), s => s == "cancelled", TimeSpan.FromSeconds(30), "the run cancelled");
        var letter = await ParkCancelOfStepAsync(id);

        await SignInAsync(Fixture.AdminToken, "admin");
        await Nav("Dead letters").ClickAsync();
        var letterRow = Page.Locator($"tr[data-letter='{letter}']");
        await Expect(letterRow).ToContainTextAsync($"step/{id}:0");
        await Expect(letterRow).ToContainTextAsync("Cancel");
        var hookRow = Page.Locator($"tr[data-hook^='instance:{id}/']").First;
        await Expect(hookRow).ToContainTextAsync($"http://127.0.0.1:{port}/hook");
        await Expect(Page.Locator("main")).Not.ToContainTextAsync("s3cret"); // the URL's query is never shown
        await Page.ScreenshotAsync(new PageScreenshotOptions { Path = ConsoleFixture.Screenshot("parked.png") });

        // Replay asks first, and is reached with the keyboard alone: Tab to it, Enter opens the dialog, Escape sends nothing.
        var replay = letterRow.GetByRole(AriaRole.Button, new() { Name = $"Replay dead letter {letter}" });
        for (var i = 0; i < 40 && !await replay.EvaluateAsync<bool>("b => b === document.activeElement"); i++)
        {
            await Page.Keyboard.PressAsync("Tab");
        }
        await Expect(replay).ToBeFocusedAsync();
        await Page.Keyboard.PressAsync("Enter");
        await Expect(Page.Locator("#confirm-title")).ToHaveTextAsync($"Replay dead letter {letter}?");
        await Expect(Page.Locator("#confirm-ok")).ToBeFocusedAsync();
        await Page.Keyboard.PressAsync("Escape");
        await Expect(Page.Locator("#confirm")).ToBeHiddenAsync();
        Assert.Contains($"\"messageId\":{letter}", await Fixture.Api.GetStringAsync("/api/v1/dead-letters?limit=1000"), StringComparison.Ordinal);
        await letterRow.GetByRole(AriaRole.Button, new() { Name = $"Replay dead letter {letter}" }).ClickAsync();
        await Page.Locator("#confirm-ok").ClickAsync();
        await Expect(Page.Locator("#parked-reply")).ToHaveTextAsync($"Replayed: dead letter {letter} was delivered again and removed.");
        await Expect(Page.Locator($"tr[data-letter='{letter}']")).ToHaveCountAsync(0);
        Assert.DoesNotContain($"\"messageId\":{letter}", await Fixture.Api.GetStringAsync("/api/v1/dead-letters?limit=1000"), StringComparison.Ordinal);

        // The parked hook event: posted again (and, the receiver still down, parked again).
        await Page.Locator($"tr[data-hook^='instance:{id}/']").First.GetByRole(AriaRole.Button).ClickAsync();
        await Page.Locator("#confirm-ok").ClickAsync();
        await Expect(Page.Locator("#parked-reply")).ToHaveTextAsync($"Replayed: 1 event of instance:{id} queued for delivery again.");
        AssertNoPageErrors();
    }

    /// <summary>
    /// Parks, as the instance's outbox would after its retries ran out, a Cancel of the run's first step: written to the
    /// silo's dead letters table directly (a real message cannot be made to fail from outside the silo). Replaying it
    /// delivers it through Orleans; the step, already final, ignores it. Answers the letter's id.
    /// </summary>
    private async Task<long> ParkCancelOfStepAsync(string id)
    {
        var method = typeof(IStepGrain).GetMethod(nameof(IStepGrain.Cancel))!;
        var args = OutboxCalls.SerializeArguments(method, ["parked by the console's test"]);
        var now = TimeProvider.System.GetUtcNow().ToUnixTimeMilliseconds(); // the silo process runs on real time
        await using var connection = new SqliteConnection($"Data Source={Fixture.Database};Default Timeout=30");
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = """
            INSERT INTO orch_dead_letters (sender_type, sender_key, target_type, target_key, interface, method, args, dedupe_key, error, attempts, first_sent_at, parked_at)
            VALUES ('instance', $id, 'step', $step, $interface, 'Cancel', $args, $dedupe, 'System.TimeoutException: no answer in 30 s', 8, $now, $now)
            RETURNING id
            """;
        command.Parameters.AddWithValue("$id", id);
        command.Parameters.AddWithValue("$step", GrainKeys.Step(id, 0));
        command.Parameters.AddWithValue("$interface", OutboxCalls.InterfaceName(typeof(IStepGrain)));
        command.Parameters.AddWithValue("$args", System.Text.Encoding.UTF8.GetString(args.Utf8));
        command.Parameters.AddWithValue("$dedupe", $"{id}/console-test-cancel");
        command.Parameters.AddWithValue("$now", now);
        return (long)(await command.ExecuteScalarAsync())!;
    }

    private static int FreePort()
    {
        using var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        return ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
    }
}
