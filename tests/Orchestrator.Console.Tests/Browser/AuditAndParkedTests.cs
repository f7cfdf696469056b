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
public sealed class AuditAndParkedTests(ConsoleFixture fixture) : IAsyncLifetime
{
    private IPage _page = null!;
    private readonly List<string> _errors = [];

    public async Task InitializeAsync()
    {
        _page = await fixture.NewPageAsync();
        _page.PageError += (_, e) => _errors.Add(e);
        SetDefaultExpectTimeout(30_000);
        await fixture.PutPlanAsync("console-audited", """
            name: console-audited
            steps:
              - name: sign-off
                approval:
                  message: Audit me
            """);
    }

    public async Task DisposeAsync() => await _page.Context.CloseAsync();

    private ILocator Nav(string name) =>
        _page.GetByRole(AriaRole.Navigation, new() { Name = "Main" }).GetByRole(AriaRole.Link, new() { Name = name });

    [Fact]
    public async Task AuditView_Admin_ShowsWhoDidWhatOnWhichRunAndFiltersOnTheServer()
    {
        var (_, viewerToken) = await fixture.NewTokenAsync("audit-viewer", """{"default": ["viewer"]}""");
        var id = await fixture.RunAsync("console-audited");
        using (var viewer = new HttpClient { BaseAddress = new Uri(fixture.Server) })
        {
            viewer.DefaultRequestHeaders.Authorization = new("Bearer", viewerToken);
            using var refused = await viewer.PostAsync($"/api/v1/task-instances/{id}/cancel", new StringContent("{}", System.Text.Encoding.UTF8, "application/json"));
            Assert.Equal(403, (int)refused.StatusCode);
        }
        using (var cancel = await fixture.Api.PostAsync($"/api/v1/task-instances/{id}/cancel", new StringContent("{}", System.Text.Encoding.UTF8, "application/json")))
        {
            Assert.True(cancel.IsSuccessStatusCode);
        }

        await _page.SignInAsync(fixture.AdminToken, "admin");
        await Nav("Audit").ClickAsync();
        await Expect(_page.GetByRole(AriaRole.Heading, new() { Name = "Audit" })).ToBeVisibleAsync();
        // Newest first: the admin's cancel above the viewer's refused one, and the run (on its plan) further down.
        var rows = _page.Locator("#audit-body tbody tr");
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
        await _page.ScreenshotAsync(new PageScreenshotOptions { Path = ConsoleFixture.Screenshot("audit.png") });

        // The filters go to the API: who and object together leave the viewer's refused cancel alone.
        await _page.GetByLabel("Who").FillAsync("audit-viewer");
        await _page.GetByLabel("Object").FillAsync($"instance:{id}");
        await _page.GetByRole(AriaRole.Button, new() { Name = "Filter" }).ClickAsync();
        await Expect(_page).ToHaveURLAsync(new System.Text.RegularExpressions.Regex("who=audit-viewer"));
        await Expect(rows).ToHaveCountAsync(1);
        await Expect(rows.First).ToContainTextAsync("instance.cancel");
        // A time range after every entry: none.
        await _page.GetByLabel("Who").FillAsync("");
        await _page.GetByLabel("From").FillAsync("2999-01-01T00:00");
        await _page.GetByRole(AriaRole.Button, new() { Name = "Filter" }).ClickAsync();
        await Expect(_page.Locator("#audit-body")).ToContainTextAsync("No entries match.");
        // A filter the API refuses is shown with the API's reason, naming the field.
        await _page.GotoAsync("/#/audit?object=nonsense");
        await Expect(_page.Locator("#toast")).ToContainTextAsync("object");
        Assert.True(_errors.Count == 0, string.Join("\n", _errors));
    }

    [Fact]
    public async Task AuditAndParked_NamespaceViewer_HasNoLinksAndIsRefusedByTheApi()
    {
        var (_, token) = await fixture.NewTokenAsync("ns-viewer", """{"default": ["viewer", "operator"]}""");
        await _page.SignInAsync(token, "ns-viewer");
        await Expect(Nav("Runs")).ToBeVisibleAsync();
        await Expect(Nav("Audit")).ToBeHiddenAsync();
        await Expect(Nav("Dead letters")).ToBeHiddenAsync();
        Assert.Equal(403, await _page.FetchStatusAsync("GET", "/api/v1/audit"));
        Assert.Equal(403, await _page.FetchStatusAsync("GET", "/api/v1/dead-letters"));
        Assert.Equal(403, await _page.FetchStatusAsync("GET", "/api/v1/hooks/parked"));
        // Typed by hand, the view shows the API's refusal and no replay button.
        await _page.GotoAsync("/#/parked");
        await Expect(_page.Locator("#toast")).ToContainTextAsync("on namespace '*'");
        await Expect(_page.Locator("main button")).ToHaveCountAsync(0);
        Assert.True(_errors.Count == 0, string.Join("\n", _errors));
    }

    [Fact]
    public async Task Parked_ViewerOfEveryNamespace_SeesTheListsButNoReplayAndIsRefusedOne()
    {
        var id = await fixture.RunAsync("console-audited");
        using (var cancel = await fixture.Api.PostAsync($"/api/v1/task-instances/{id}/cancel", new StringContent("{}", System.Text.Encoding.UTF8, "application/json")))
        {
            Assert.True(cancel.IsSuccessStatusCode);
        }
        await Eventually.Until(() => fixture.InstanceStatusAsync(id), s => s == "cancelled", TimeSpan.FromSeconds(30), "the run cancelled");
        var letter = await ParkCancelOfStepAsync(id);
        var (_, token) = await fixture.NewTokenAsync("all-viewer", """{"*": ["viewer", "operator"]}""");
        await _page.SignInAsync(token, "all-viewer");
        await Expect(Nav("Audit")).ToBeHiddenAsync(); // the audit log is an admin's read
        await Nav("Dead letters").ClickAsync();
        await Expect(_page.Locator($"tr[data-letter='{letter}']")).ToContainTextAsync($"step/{id}:0");
        await Expect(_page.Locator("main button")).ToHaveCountAsync(0);
        Assert.Equal(403, await _page.FetchStatusAsync("GET", "/api/v1/audit"));
        Assert.Equal(403, await _page.FetchStatusAsync("POST", $"/api/v1/dead-letters/{letter}/replay"));
        Assert.Equal(403, await _page.FetchStatusAsync("POST", $"/api/v1/task-instances/{id}/hook/replay"));
        Assert.Contains($"\"messageId\":{letter}", await fixture.Api.GetStringAsync("/api/v1/dead-letters?limit=1000"), StringComparison.Ordinal);
        Assert.True(_errors.Count == 0, string.Join("\n", _errors));
    }

    [Fact]
    public async Task ParkedView_Admin_ReplaysADeadLetterAndAParkedHookDeliveryShowingTheAnswers()
    {
        // A hook whose receiver is down (nothing listens on the port): its events park within seconds (the fixture's settings).
        var port = FreePort();
        var id = await fixture.RunAsync("console-audited", $$$"""{"statusHook": {"url": "http://127.0.0.1:{{{port}}}/hook?token=s3cret"}}""");
        await Eventually.Until(() => fixture.Api.GetStringAsync("/api/v1/hooks/parked?limit=1000"), s => s.Contains($"instance:{id}", StringComparison.Ordinal),
            TimeSpan.FromSeconds(60), "the run's hook event parked");
        // The run ends (its step with it), so that the parked Cancel below finds a final step and changes nothing.
        using (var cancel = await fixture.Api.PostAsync($"/api/v1/task-instances/{id}/cancel", new StringContent("{}", System.Text.Encoding.UTF8, "application/json")))
        {
            Assert.True(cancel.IsSuccessStatusCode);
        }
        await Eventually.Until(() => fixture.InstanceStatusAsync(id), s => s == "cancelled", TimeSpan.FromSeconds(30), "the run cancelled");
        var letter = await ParkCancelOfStepAsync(id);

        await _page.SignInAsync(fixture.AdminToken, "admin");
        await Nav("Dead letters").ClickAsync();
        var letterRow = _page.Locator($"tr[data-letter='{letter}']");
        await Expect(letterRow).ToContainTextAsync($"step/{id}:0");
        await Expect(letterRow).ToContainTextAsync("Cancel");
        var hookRow = _page.Locator($"tr[data-hook^='instance:{id}/']").First;
        await Expect(hookRow).ToContainTextAsync($"http://127.0.0.1:{port}/hook");
        await Expect(_page.Locator("main")).Not.ToContainTextAsync("s3cret"); // the URL's query is never shown
        await _page.ScreenshotAsync(new PageScreenshotOptions { Path = ConsoleFixture.Screenshot("parked.png") });

        // Replay asks first, and is reached with the keyboard alone: Tab to it, Enter opens the dialog, Escape sends nothing.
        var replay = letterRow.GetByRole(AriaRole.Button, new() { Name = $"Replay dead letter {letter}" });
        for (var i = 0; i < 40 && !await replay.EvaluateAsync<bool>("b => b === document.activeElement"); i++)
        {
            await _page.Keyboard.PressAsync("Tab");
        }
        await Expect(replay).ToBeFocusedAsync();
        await _page.Keyboard.PressAsync("Enter");
        await Expect(_page.Locator("#confirm-title")).ToHaveTextAsync($"Replay dead letter {letter}?");
        await Expect(_page.Locator("#confirm-ok")).ToBeFocusedAsync();
        await _page.Keyboard.PressAsync("Escape");
        await Expect(_page.Locator("#confirm")).ToBeHiddenAsync();
        Assert.Contains($"\"messageId\":{letter}", await fixture.Api.GetStringAsync("/api/v1/dead-letters?limit=1000"), StringComparison.Ordinal);
        await letterRow.GetByRole(AriaRole.Button, new() { Name = $"Replay dead letter {letter}" }).ClickAsync();
        await _page.Locator("#confirm-ok").ClickAsync();
        await Expect(_page.Locator("#parked-reply")).ToHaveTextAsync($"Replayed: dead letter {letter} was delivered again and removed.");
        await Expect(_page.Locator($"tr[data-letter='{letter}']")).ToHaveCountAsync(0);
        Assert.DoesNotContain($"\"messageId\":{letter}", await fixture.Api.GetStringAsync("/api/v1/dead-letters?limit=1000"), StringComparison.Ordinal);

        // The parked hook event: posted again (and, the receiver still down, parked again).
        await _page.Locator($"tr[data-hook^='instance:{id}/']").First.GetByRole(AriaRole.Button).ClickAsync();
        await _page.Locator("#confirm-ok").ClickAsync();
        await Expect(_page.Locator("#parked-reply")).ToHaveTextAsync($"Replayed: 1 event of instance:{id} queued for delivery again.");
        Assert.True(_errors.Count == 0, string.Join("\n", _errors));
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
        await using var connection = new SqliteConnection($"Data Source={fixture.Database};Default Timeout=30");
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
