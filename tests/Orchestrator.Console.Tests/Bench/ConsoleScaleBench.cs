using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Microsoft.Playwright;
using Orchestrator.Console.Tests.Infrastructure;
using Orchestrator.Runtime.Tests.Infrastructure;

namespace Orchestrator.Console.Tests.Bench;

/// <summary>Runs only under <c>bench/run console</c> (<c>ORCH_BENCH_CONSOLE=1</c>): a bench, not a test.</summary>
public sealed class BenchFactAttribute : FactAttribute
{
    public BenchFactAttribute()
    {
        if (Environment.GetEnvironmentVariable("ORCH_BENCH_CONSOLE") != "1")
        {
            Skip = "a measurement: bench/run console runs it";
        }
    }
}

/// <summary>
/// The console's step view over 10,000 simulated hosts (<c>bench/run console</c>): a silo process on PostgreSQL
/// (<c>ORCH_BENCH_CONNECTION</c>, its own schema), one <c>Orchestrator.Agent --simulate 10000</c> process, a no-op
/// step over the fleet, and the step page in Debian's headless chromium opened while the run proceeds. Prints
/// figures as <c>bench &lt;name&gt; &lt;value&gt; &lt;unit&gt;</c> into <c>ORCH_BENCH_OUT</c>: the page's JS heap
/// (after a collection, CDP <c>Performance.getMetrics</c>) at the start, the most and at the end of the run; the step
/// page's first render (a full load until the groups and the first rows are drawn, median of 5); 20 pages of hosts
/// scrolled to (p50/p99, scroll until the page's first host is drawn); the heap after. Figures, not assertions.
/// Driven from this project (not bench/Orchestrator.Bench) because the browser driver and its setup live here.
/// </summary>
public sealed class ConsoleScaleBench : IAsyncLifetime
{
    private const int Hosts = 10_000;
    private const int Pages = 20;
    private const int RowPx = 32; // js/hosttable.js
    private readonly List<Process> _processes = [];
    private readonly List<AgentProcess> _agents = [];
    private readonly StringBuilder _out = new();

    [BenchFact]
    public async Task StepPage_TenThousandHosts_FirstRenderPagesAndHeap()
    {
        var connection = Environment.GetEnvironmentVariable("ORCH_BENCH_CONNECTION") ?? throw new InvalidOperationException("ORCH_BENCH_CONNECTION is not set (bench/run console sets it)");
        var agentToken = Guid.NewGuid().ToString("N");
        var adminToken = "bench-admin-" + Guid.NewGuid().ToString("N");
        var port = ConsoleFixture.FreePort();
        var server = $"http://127.0.0.1:{port}";
        StartSilo(connection, server, agentToken, adminToken);
        using var api = new HttpClient { BaseAddress = new Uri(server), Timeout = TimeSpan.FromMinutes(2) };
        api.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", adminToken);
        await Eventually.Until(async () => await StatusAsync(api, "/readyz"), s => s == 200 || _processes[0].HasExited, TimeSpan.FromMinutes(2), "the silo ready");
        Assert.False(_processes[0].HasExited, "the silo exited");

        var folder = Path.Combine(Path.GetTempPath(), "orch-console-bench", Guid.NewGuid().ToString("N")[..8]);
        _agents.Add(AgentProcess.Start(server, agentToken, folder, "--simulate", Hosts.ToString(CultureInfo.InvariantCulture), "--host-prefix", "sim-", "--label", "fleet=sim"));
        var registering = Stopwatch.StartNew();
        await Eventually.Until(() => OnlineAsync(api), n => n >= Hosts || _agents[0].HasExited, TimeSpan.FromMinutes(10), $"{Hosts} hosts online");
        Info($"{Hosts} hosts online after {registering.Elapsed.TotalSeconds:0.0} s");

        using (var plan = new StringContent("name: console-bench\nsteps:\n  - name: noop\n    script: \"true\"\n    targets:\n      selector: fleet=sim\n", Encoding.UTF8, "application/yaml"))
        {
            (await api.PutAsync("/api/v1/plans/console-bench", plan)).EnsureSuccessStatusCode();
        }
        await Eventually.Until(async () => await StatusAsync(api, "/api/v1/plans/console-bench"), s => s == 200, TimeSpan.FromMinutes(5), "the plan stored");

        using var playwright = await Playwright.CreateAsync();
        await using var browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions { ExecutablePath = ConsoleFixture.ChromiumPath, Headless = true });
        var context = await browser.NewContextAsync(new BrowserNewContextOptions { BaseURL = server, ViewportSize = new ViewportSize { Width = 1280, Height = 800 } });
        var page = await context.NewPageAsync();
        var cdp = await context.NewCDPSessionAsync(page);
        await cdp.SendAsync("Performance.enable");
        await page.GotoAsync("/");
        await page.GetByLabel("API token").FillAsync(adminToken);
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
        await page.Locator("#principal").WaitForAsync();

        // The run, with its step page open from the start: the heap while 10,000 targets report.
        using var run = await api.PostAsync("/api/v1/plans/console-bench/run", new StringContent("{}", Encoding.UTF8, "application/json"));
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
        Info($"the run ended {status} after {clock.Elapsed.TotalSeconds:0.0} s");
        // The page catches up with the end (its groups show every host) before the heap at the end is read.
        await page.Locator("#groups-title").Filter(new() { HasText = string.Create(CultureInfo.InvariantCulture, $"{Hosts:N0} finished hosts") })
            .WaitForAsync(new() { Timeout = 60_000 });
        var heapEnd = await HeapMbAsync(cdp);
        Figure("console_heap_mb_run_start", heapStart, "MB");
        Figure("console_heap_mb_run_max", heapMax, "MB");
        Figure("console_heap_mb_run_end", heapEnd, "MB");

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
        Figure("console_step_first_render_ms", Percentile(renders, 50), "ms");
        Figure("console_step_first_render_ms_first", renders[0], "ms");

        // Pages of hosts: scroll to the first row of each next page until it is drawn (read from the server on the way).
        var heapBefore = await HeapMbAsync(cdp);
        var pages = new List<double>();
        for (var p = 1; p <= Pages; p++)
        {
            var host = $"sim-{p * 100 + 1:D5}";
            var watch = Stopwatch.StartNew();
            await page.EvaluateAsync("(top) => { document.getElementById('hosts-scroll').scrollTop = top; }", p * 100 * RowPx);
            await page.Locator($"#hosts-scroll tr[data-host='{host}']").WaitForAsync();
            pages.Add(watch.Elapsed.TotalMilliseconds);
        }
        var inPage = await page.EvaluateAsync<double[]>("() => window.orchHostPages.slice(-20)");
        var rowsInDom = await page.Locator("#hosts-scroll tr[data-host]").CountAsync();
        var heapAfter = await HeapMbAsync(cdp);
        Figure("console_hosts_page_ms_p50", Percentile(pages, 50), "ms");
        Figure("console_hosts_page_ms_p99", Percentile(pages, 99), "ms");
        Figure("console_hosts_page_fetch_ms_p50", Percentile(inPage, 50), "ms");
        Figure("console_hosts_rows_in_dom", rowsInDom, "rows");
        Figure("console_heap_mb_before_pages", heapBefore, "MB");
        Figure("console_heap_mb_after_pages", heapAfter, "MB");
        Assert.Equal("succeeded", status);
    }

    private void StartSilo(string connection, string server, string agentToken, string adminToken)
    {
        var info = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = Path.GetTempPath() };
        foreach (var arg in new[]
        {
            Repo.Built("silo", "Orchestrator.Silo"), "--store", "postgres", "--connection-string", connection, "--silo-name", "console-bench",
            "--silo-port", $"{ConsoleFixture.FreePort()}", "--gateway-port", $"{ConsoleFixture.FreePort()}", "--urls", server,
            "--local-agent", "false", "--agent-token", agentToken, "--admin-token", adminToken, "--agent-heartbeat-forward-interval", "00:00:10",
        })
        {
            info.ArgumentList.Add(arg);
        }
        foreach (var name in info.Environment.Keys.Where(k => k.StartsWith("ORCH_", StringComparison.Ordinal)).ToList())
        {
            info.Environment.Remove(name);
        }
        info.Environment["Logging__LogLevel__Default"] = "Warning";
        var silo = Process.Start(info)!;
        silo.OutputDataReceived += (_, e) => { if (e.Data is { } line && (line.StartsWith("fail:", StringComparison.Ordinal) || line.StartsWith("crit:", StringComparison.Ordinal))) { Info(line); } };
        silo.ErrorDataReceived += (_, e) => { if (e.Data is { } line) { Info(line); } };
        silo.BeginOutputReadLine();
        silo.BeginErrorReadLine();
        _processes.Add(silo);
    }

    private static async Task<int> OnlineAsync(HttpClient api)
    {
        var online = 0;
        string? after = null;
        do
        {
            var root = JsonDocument.Parse(await api.GetStringAsync("/api/v1/hosts?limit=1000" + (after is null ? "" : "&after=" + after))).RootElement;
            online += root.GetProperty("items").EnumerateArray().Count(i => i.GetProperty("status").GetString() == "online");
            after = root.TryGetProperty("next", out var next) && next.ValueKind == JsonValueKind.String ? next.GetString() : null;
        }
        while (after is not null);
        return online;
    }

    /// <summary>The page's used JS heap after a collection, in MB.</summary>
    private static async Task<double> HeapMbAsync(ICDPSession cdp)
    {
        await cdp.SendAsync("HeapProfiler.collectGarbage");
        var metrics = await cdp.SendAsync("Performance.getMetrics");
        var used = metrics!.Value.GetProperty("metrics").EnumerateArray().First(m => m.GetProperty("name").GetString() == "JSHeapUsedSize").GetProperty("value").GetDouble();
        return used / (1024 * 1024);
    }

    private static double Percentile(IReadOnlyCollection<double> values, int p)
    {
        var sorted = values.Order().ToArray();
        return sorted[Math.Clamp((int)Math.Ceiling(p / 100.0 * sorted.Length) - 1, 0, sorted.Length - 1)];
    }

    private static async Task<int> StatusAsync(HttpClient http, string path)
    {
        try
        {
            using var response = await http.GetAsync(path);
            return (int)response.StatusCode;
        }
        catch (HttpRequestException)
        {
            return 0;
        }
        catch (TaskCanceledException)
        {
            return 0;
        }
    }

    private void Figure(string name, double value, string unit) => Write(string.Create(CultureInfo.InvariantCulture, $"bench {name} {value:0.##} {unit}"));

    private void Info(string text) => Write("info " + text);

    private void Write(string line)
    {
        lock (_out)
        {
            _out.AppendLine(line);
            if (Environment.GetEnvironmentVariable("ORCH_BENCH_OUT") is { Length: > 0 } file)
            {
                File.AppendAllText(file, line + Environment.NewLine);
            }
        }
    }

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        foreach (var agent in _agents)
        {
            await agent.DisposeAsync();
        }
        foreach (var process in _processes)
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
                await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(30));
            }
            process.Dispose();
        }
    }
}
