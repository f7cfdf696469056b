using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Microsoft.Playwright;
using Orchestrator.Runtime.Tests.Infrastructure;
using Orchestrator.Tests.Shared;

namespace Orchestrator.Console.Tests.Infrastructure;

/// <summary>
/// A real single-node silo process (SQLite, its local agent as host <c>local</c>) in a fresh folder, an admin
/// <see cref="Api"/> client on it, and Debian's headless chromium driven by Playwright through its executable path
/// (no browser is downloaded: <c>apt-get install -y chromium</c>, as <c>.ci/run</c> does).
/// </summary>
public sealed class ConsoleFixture : IAsyncLifetime
{
    /// <summary>Where chromium is; <c>ORCH_TEST_CHROMIUM</c> overrides.</summary>
    public static string ChromiumPath => Environment.GetEnvironmentVariable("ORCH_TEST_CHROMIUM") is { Length: > 0 } path ? path : "/usr/bin/chromium";

    private LocalSiloProcess? _silo;
    private IPlaywright? _playwright;

    public string Folder { get; } = Path.Combine(Path.GetTempPath(), "orch-console-tests", Guid.NewGuid().ToString("N")[..8]);

    public string Server { get; private set; } = "";

    public string AdminToken { get; private set; } = "";

    /// <summary>The silo's agent token, for agents of more hosts (<see cref="AgentProcess"/>).</summary>
    public string AgentToken { get; private set; } = "";

    public HttpClient Api { get; private set; } = null!;

    public IBrowser Browser { get; private set; } = null!;

    /// <summary>A folder the plans' scripts read their gates from.</summary>
    public string Scratch => Path.Combine(Folder, "scratch");

    public string SiloLog => _silo?.Log ?? "";

    /// <summary>The silo's SQLite file.</summary>
    public string Database { get; private set; } = "";

    public async Task InitializeAsync()
    {
        Assert.True(File.Exists(ChromiumPath), $"The browser tests need Debian's chromium at {ChromiumPath}: apt-get install -y chromium (.ci/run does).");
        Directory.CreateDirectory(Scratch);
        var data = Path.Combine(Folder, "silo");
        Directory.CreateDirectory(data);
        // A status hook whose receiver is down parks within seconds rather than the default hour (the parked view's test).
        await File.WriteAllTextAsync(Path.Combine(data, "appsettings.json"),
            """{"StatusHooks": {"AttemptTimeout": "00:00:02", "InitialBackoff": "00:00:00.200", "MaxBackoff": "00:00:00.500", "MaxRetryDuration": "00:00:01.500"}}""");
        Database = Path.Combine(data, "orchestrator.db");
        _silo = await LocalSiloProcess.StartAsync(Repo.Built("silo", "Orchestrator.Silo"), data);
        Server = _silo.Server;
        AdminToken = (await File.ReadAllTextAsync(Path.Combine(data, "data", "admin-token"))).Trim();
        AgentToken = (await File.ReadAllTextAsync(Path.Combine(data, "data", "agent-token"))).Trim();
        Api = new HttpClient { BaseAddress = new Uri(Server), Timeout = TimeSpan.FromSeconds(30) };
        Api.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", AdminToken);
        await Eventually.Until(async () => await Api.GetStringAsync("/api/v1/hosts"), s => s.Contains("\"local\"", StringComparison.Ordinal) && s.Contains("online", StringComparison.OrdinalIgnoreCase),
            TimeSpan.FromSeconds(60), "the local agent registered");

        _playwright = await Playwright.CreateAsync();
        Browser = await _playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions { ExecutablePath = ChromiumPath, Headless = true });
    }

    /// <summary>A fresh browser context (its own cookies) at 1280×800, and a page in it; <paramref name="timezoneId"/> sets the browser's zone.</summary>
    public async Task<IPage> NewPageAsync(string? timezoneId = null)
    {
        var context = await Browser.NewContextAsync(new BrowserNewContextOptions
        {
            BaseURL = Server,
            ViewportSize = new ViewportSize { Width = 1280, Height = 800 },
            AcceptDownloads = true,
            TimezoneId = timezoneId,
        });
        return await context.NewPageAsync();
    }

    /// <summary>Saves a plan (YAML) as admin.</summary>
    public async Task PutPlanAsync(string id, string yaml)
    {
        using var content = new StringContent(yaml, Encoding.UTF8, "application/yaml");
        using var response = await Api.PutAsync($"/api/v1/plans/{id}", content);
        Assert.True(response.IsSuccessStatusCode, $"PUT plan {id}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
    }

    /// <summary>Runs a plan as admin (<paramref name="request"/>: the run request); answers the task instance id.</summary>
    public async Task<string> RunAsync(string planId, string request = "{}")
    {
        using var response = await Api.PostAsync($"/api/v1/plans/{planId}/run", new StringContent(request, Encoding.UTF8, "application/json"));
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"run {planId}: {(int)response.StatusCode} {body}");
        return JsonDocument.Parse(body).RootElement.GetProperty("id").GetString()!;
    }

    /// <summary>Makes an API token with these grants (<c>{"default": ["viewer"]}</c>); answers its id and text.</summary>
    public async Task<(string Id, string Token)> NewTokenAsync(string name, string grantsJson)
    {
        using var response = await Api.PostAsync("/api/v1/tokens", new StringContent($"{{\"name\":\"{name}\",\"grants\":{grantsJson}}}", Encoding.UTF8, "application/json"));
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"token {name}: {(int)response.StatusCode} {body}");
        var root = JsonDocument.Parse(body).RootElement;
        return (root.GetProperty("id").GetString()!, root.GetProperty("token").GetString()!);
    }

    public async Task<string> InstanceStatusAsync(string id) =>
        JsonDocument.Parse(await Api.GetStringAsync($"/api/v1/task-instances/{id}")).RootElement.GetProperty("status").GetString()!;

    /// <summary>Where the tests put the console's screenshots: docs/console/ in the repository.</summary>
    public static string Screenshot(string name)
    {
        var folder = Repo.Path("docs", "console");
        Directory.CreateDirectory(folder);
        return Path.Combine(folder, name);
    }

    public async Task DisposeAsync()
    {
        if (Browser is not null)
        {
            await Browser.CloseAsync();
        }
        _playwright?.Dispose();
        Api?.Dispose();
        if (_silo is not null)
        {
            await _silo.DisposeAsync();
        }
        try
        {
            Directory.Delete(Folder, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}

[CollectionDefinition(Name)]
public sealed class ConsoleCollection : ICollectionFixture<ConsoleFixture>
{
    public const string Name = "console-silo";
}
