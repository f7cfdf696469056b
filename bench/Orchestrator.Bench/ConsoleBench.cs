using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Playwright;

namespace Orchestrator.Bench;

/// <summary>
/// The console's step view over a simulated fleet (<c>bench/run console</c>): a silo process on PostgreSQL, one
/// <c>Orchestrator.Agent --simulate</c> process, a no-op step over the fleet, and the step page in headless chromium
/// (Debian's, through Playwright: <c>--chromium</c>, default <c>ORCH_TEST_CHROMIUM</c> or <c>/usr/bin/chromium</c>)
/// opened while the run proceeds. Figures: the page's JS heap (after a collection, CDP <c>Performance.getMetrics</c>)
/// at the start, the most and the end of the run; the step page's first render (a full load until the groups and the
/// first rows are drawn, median of 5); 20 pages of hosts scrolled to (p50/p99, until the page's first host is drawn);
/// the heap after.
/// </summary>
internal static class ConsoleBench
{
    private const int Pages = 20;
    private const int RowPx = 32; // js/hosttable.js

    public static async Task<int> RunAsync(Args args)
    {
        var hosts = args.Int("hosts", 10_000);
        var siloDll = args.Get("silo-dll");
        var agentDll = args.Get("agent-dll");
        var chromium = args.Get("chromium", Environment.GetEnvironmentVariable("ORCH_TEST_CHROMIUM") is { Length: > 0 } path ? path : "/usr/bin/chromium");
        var schema = Bench.NewSchema("console");
        var connection = Bench.WithSchema(args.Get("connection"), schema);
        var token = Guid.NewGuid().ToString("N");
        var processes = new List<Process>();
        try
        {
            var (silo, port) = await Processes.StartSiloAsync(siloDll, connection, "console-bench", token, "--agent-heartbeat-forward-interval", "00:00:10");
            processes.Add(silo);
            var server = $"http://127.0.0.1:{port}";
            processes.Add(await Processes.StartFleetAsync(agentDll, server, token, hosts, connection));
            using var api = Processes.Authorized(new HttpClient { BaseAddress = new Uri(server), Timeout = TimeSpan.FromMinutes(2) });
            await Processes.PutFleetPlanAsync(api, "console-bench");

            using var playwright = await Playwright.CreateAsync();
            await using var browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions { ExecutablePath = chromium, Headless = true });
            var context = await browser.NewContextAsync(new BrowserNewContextOptions { BaseURL = server, ViewportSize = new ViewportSize { Width = 1280, Height = 800 } });
            var page = await context.NewPageAsync();
            var cdp = await context.NewCDPSessionAsync(page);
            await cdp.SendAsync("Performance.enable");
            await page.GotoAsync("/");
            await page.GetByLabel("API token").FillAsync(Processes.AdminToken);
            await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
            await page.Locator("#principal").WaitForAsync();

            // The run, with its step page open from the start: the heap while the targets report.
            using var run = await api.PostAsJsonAsync("/api/v1/plans/console-bench/run", new { });
            run.EnsureSuccessStatusCode();
            var id = JsonDocument.Parse(await run.Content.ReadAsStringAsync()).RootElement.GetProperty("id").GetString()!;
            var clock = Stopwatch.StartNew();
            await page.EvaluateAsync("(hash) => { location.hash = hash; }", $"#/runs/{id}/steps/0");
            var heapStart = await HeapMbAsync(cdp);
            var heapMax = heapStart;
            string status;
            using (var tick = new PeriodicTimer(TimeSpan.FromSeconds(1), TimeProvider.System))
            {
                while (true)
                {
                    status = JsonDocument.Parse(await api.GetStringAsync($"/api/v1/task-instances/{id}")).RootElement.GetProperty("status").GetString()!;
                    heapMax = Math.Max(heapMax, await HeapMbAsync(cdp));
                    if (status is "succeeded" or "failed" or "cancelled" || clock.Elapsed > TimeSpan.FromMinutes(20))
                    {
                        break;
                    }
                    await tick.WaitForNextTickAsync();
                }
            }
            Report.Info($"the run ended {status} after {clock.Elapsed.TotalSeconds:0.0} s");
            if (status != "succeeded")
            {
                Report.Failure("console", $"the run ended {status}");
                return 1;
            }
            // The page catches up with the end (its groups show every host) before the heap at the end is read.
            await page.Locator("#groups-title").Filter(new() { HasText = string.Create(CultureInfo.InvariantCulture, $"{hosts:N0} finished hosts") })
                .WaitForAsync(new() { Timeout = 60_000 });
            var heapEnd = await HeapMbAsync(cdp);
            Report.Figure("console_heap_mb_run_start", heapStart, "MB");
            Report.Figure("console_heap_mb_run_max", heapMax, "MB");
            Report.Figure("console_heap_mb_run_end", heapEnd, "MB");

            // First render: a full load of the step page until its groups and first rows are drawn.
            var renders = new List<double>();
            for (var i = 0; i < 5; i++)
            {
                var watch = Stopwatch.StartNew();
                await page.GotoAsync($"/?load={i}#/runs/{id}/steps/0");
                await page.Locator("#groups ul.groups li[data-group]").First.WaitForAsync();
                await page.Locator("#hosts-scroll tr[data-host='sim-00001']").WaitForAsync();
                renders.Add(watch.Elapsed.TotalMilliseconds);
            }
            var first = renders[0];
            Report.Figure("console_step_first_render_ms", Report.Percentile(renders, 50), "ms");
            Report.Figure("console_step_first_render_ms_first", first, "ms");

            // Pages of hosts: scroll to the first row of each next page until it is drawn (read from the server on the way).
            var heapBefore = await HeapMbAsync(cdp);
            var pages = new List<double>();
            for (var p = 1; p <= Math.Min(Pages, hosts / 100 - 1); p++) // a smaller fleet (HOSTS) has fewer pages
            {
                var host = $"sim-{p * 100 + 1:D5}";
                var watch = Stopwatch.StartNew();
                await page.EvaluateAsync("(top) => { document.getElementById('hosts-scroll').scrollTop = top; }", p * 100 * RowPx);
                await page.Locator($"#hosts-scroll tr[data-host='{host}']").WaitForAsync();
                pages.Add(watch.Elapsed.TotalMilliseconds);
            }
            var inPage = (await page.EvaluateAsync<double[]>("() => window.orchHostPages.slice(-20)")).ToList();
            var rowsInDom = await page.Locator("#hosts-scroll tr[data-host]").CountAsync();
            var heapAfter = await HeapMbAsync(cdp);
            Report.Figure("console_hosts_page_ms_p50", Report.Percentile(pages, 50), "ms");
            Report.Figure("console_hosts_page_ms_p99", Report.Percentile(pages, 99), "ms");
            Report.Figure("console_hosts_page_fetch_ms_p50", Report.Percentile(inPage, 50), "ms");
            Report.Figure("console_hosts_rows_in_dom", rowsInDom, "rows");
            Report.Figure("console_heap_mb_before_pages", heapBefore, "MB");
            Report.Figure("console_heap_mb_after_pages", heapAfter, "MB");

            // The table's other orders, read from the server as the table reads them (100 hosts a page, following
            // 'next'): by status either way (a key range per status) and by name descending (the index read backwards).
            foreach (var (sort, name) in new[] { ("status", "status"), ("-status", "status_desc"), ("-name", "name_desc") })
            {
                var fetches = await SortedPagesAsync(api, id, sort, Math.Min(Pages, hosts / 100));
                Report.Figure($"console_hosts_page_fetch_ms_p50_{name}", Report.Percentile(fetches, 50), "ms");
                Report.Figure($"console_hosts_page_fetch_ms_p99_{name}", Report.Percentile(fetches, 99), "ms");
            }
            return 0;
        }
        catch (TimeoutException ex)
        {
            Report.Failure("console", ex.Message);
            return 1;
        }
        finally
        {
            foreach (var process in processes)
            {
                if (!process.HasExited)
                {
                    process.Kill(entireProcessTree: true);
                }
                await process.WaitForExitAsync();
            }
            await Bench.DropSchemaAsync(connection, schema);
        }
    }

    /// <summary>Milliseconds of each of <paramref name="pages"/> pages of the step's hosts in <paramref name="sort"/>'s order, read one after another.</summary>
    private static async Task<List<double>> SortedPagesAsync(HttpClient api, string id, string sort, int pages)
    {
        var times = new List<double>();
        string? after = null;
        for (var p = 0; p < pages; p++)
        {
            var url = $"/api/v1/task-instances/{id}/steps/0/targets?limit=100&sort={Uri.EscapeDataString(sort)}" + (after is null ? "" : $"&after={Uri.EscapeDataString(after)}");
            var watch = Stopwatch.StartNew();
            var body = JsonNode.Parse(await api.GetStringAsync(url))!;
            times.Add(watch.Elapsed.TotalMilliseconds);
            if (body["items"]!.AsArray().Count != 100)
            {
                throw new InvalidOperationException($"hosts sorted by {sort}: page {p} has {body["items"]!.AsArray().Count} hosts, not 100");
            }
            after = body["next"]?.GetValue<string>();
            if (after is null)
            {
                break;
            }
        }
        return times;
    }

    /// <summary>The page's used JS heap after a collection, in MB.</summary>
    private static async Task<double> HeapMbAsync(ICDPSession cdp)
    {
        await cdp.SendAsync("HeapProfiler.collectGarbage");
        var metrics = await cdp.SendAsync("Performance.getMetrics");
        var used = metrics!.Value.GetProperty("metrics").EnumerateArray().First(m => m.GetProperty("name").GetString() == "JSHeapUsedSize").GetProperty("value").GetDouble();
        return used / (1024 * 1024);
    }
}
