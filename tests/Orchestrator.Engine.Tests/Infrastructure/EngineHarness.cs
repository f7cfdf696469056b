using System.Net;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Orleans;
using Orleans.Configuration;
using Orleans.Hosting;
using Orleans.Serialization;
using Orleans.TestingHost;
using Orchestrator.Api.Common;
using Orchestrator.Api.Hosting;
using Orchestrator.GrainInterfaces;
using Orchestrator.Grains.Hooks;
using Orchestrator.Runtime.Durable;
using Orchestrator.Runtime.Persistence;
using Orchestrator.Runtime.Tests.Infrastructure;
using Orchestrator.Silo.Hosting;

namespace Orchestrator.Engine.Tests.Infrastructure;

/// <summary>
/// The orchestrator as the tests drive it: Orleans silos in this process (<see cref="EngineCluster"/>) hosting the
/// orchestrator as the silo process does, on a real database (PostgreSQL schema or SQLite file); the real REST API and
/// agent gateway on a real Kestrel port (restartable on the same port), talking to the silos as an Orleans client and
/// reading the database as a separate API process would; and real agent processes. A test's manual clock is the
/// orchestrator clock (grain timers, wake-ups, reminders, the API's "now"), never the silos' own time.
/// </summary>
public sealed class EngineHarness : IAsyncDisposable
{
    private readonly List<AgentProcess> _agents = [];
    private WebApplication? _api;

    private readonly Action<ApiOptions>? _configureApi;

    private EngineHarness(EngineCluster cluster, OrchestratorDatabaseOptions store, OrchestratorDatabase database, ManualTimeProvider? clock, int port,
        Action<ApiOptions>? configureApi)
    {
        _configureApi = configureApi;
        Cluster = cluster;
        Store = store;
        Database = database;
        Clock = clock;
        OrchestratorClock = new OrchestratorClock(clock ?? TimeProvider.System);
        Port = port;
        Http = NewClient(AdminToken);
        Client = new GrainClient(cluster.Client, database, OrchestratorClock);
    }

    public EngineCluster Cluster { get; }

    /// <summary>The database the silos and the API share.</summary>
    public OrchestratorDatabaseOptions Store { get; }

    /// <summary>The API's own handle on the database (the silos each have theirs).</summary>
    public OrchestratorDatabase Database { get; }

    /// <summary>The cluster's clock when the test drives time; null when it runs on real time.</summary>
    public ManualTimeProvider? Clock { get; }

    private OrchestratorClock OrchestratorClock { get; }

    public int Port { get; }

    public string Server => $"http://127.0.0.1:{Port}";

    /// <summary>The agents' (registration) token.</summary>
    public string Token { get; } = Guid.NewGuid().ToString("N");

    /// <summary>
    /// An agent credential as <c>/register</c> would issue it (for the session <c>engine-tests</c>): what a test calling
    /// the gateway's later endpoints itself presents.
    /// </summary>
    public string AgentCredential => AgentCredentialFor("engine-tests");

    /// <summary>An agent credential as <c>/register</c> issues it to <paramref name="session"/>: it speaks for that session only.</summary>
    public string AgentCredentialFor(string session) => new Api.Agents.AgentCredentials(Token).Issue(session);

    /// <summary>
    /// The bearer token for <c>/api/v1/agent/&lt;endpoint&gt;</c>: the registration token for register, else the
    /// credential of <paramref name="session"/> (the session the call's body names).
    /// </summary>
    public string AgentBearer(string endpoint, string session = "engine-tests") =>
        endpoint.TrimStart('/').StartsWith("register", StringComparison.Ordinal) ? Token : AgentCredentialFor(session);

    /// <summary>
    /// Registers <paramref name="hosts"/> under <paramref name="session"/> with the registration token, as an agent does
    /// before it reports: the gateway takes heartbeats, polls, events and logs only for hosts the calling session holds.
    /// </summary>
    public async Task RegisterAgentSessionAsync(string session, params string[] hosts)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/v1/agent/register")
        {
            Content = JsonContent.Create(new { sessionId = session, agentVersion = "test", hosts = hosts.Select(h => new { host = h, labels = new Dictionary<string, string>(), capacity = 1 }) }),
        };
        request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", Token);
        using var response = await Http.SendAsync(request);
        Assert.True(response.IsSuccessStatusCode, $"register {string.Join(", ", hosts)}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
    }

    /// <summary>The API's bootstrap admin token (admin on every namespace, principal <c>admin</c>).</summary>
    public string AdminToken { get; } = "admin-" + Guid.NewGuid().ToString("N");

    /// <summary>The API, as the admin (<see cref="AdminToken"/>).</summary>
    public HttpClient Http { get; }

    private readonly Dictionary<string, string> _tokens = new(StringComparer.Ordinal);

    /// <summary>A client of this API with <paramref name="token"/> as its bearer token (none: unauthenticated).</summary>
    public HttpClient NewClient(string? token = null)
    {
        var client = new HttpClient { BaseAddress = new Uri(Server), Timeout = TimeSpan.FromSeconds(60) };
        if (token is not null)
        {
            client.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", token);
        }
        return client;
    }

    /// <summary>
    /// An API token whose principal is <paramref name="name"/>, made through <c>POST /api/v1/tokens</c> as the admin;
    /// <paramref name="grants"/> default admin on every namespace. Made once per name and grants.
    /// </summary>
    public async Task<string> TokenForAsync(string name, object? grants = null, DateTimeOffset? expiresAt = null)
    {
        var key = name + "\n" + JsonSerializer.Serialize(grants) + "\n" + expiresAt?.ToString("O");
        lock (_tokens)
        {
            if (_tokens.TryGetValue(key, out var known))
            {
                return known;
            }
        }
        using var response = await Http.PostAsJsonAsync("/api/v1/tokens", new { name, grants = grants ?? new Dictionary<string, string[]> { ["*"] = ["admin"] }, expiresAt });
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.Created, $"POST /api/v1/tokens: {(int)response.StatusCode} {body}");
        var token = JsonNode.Parse(body)!["token"]!.GetValue<string>();
        lock (_tokens)
        {
            _tokens[key] = token;
        }
        return token;
    }

    /// <summary>Grains (through the cluster's Orleans client) and the database's readers, as the API sees them.</summary>
    public GrainClient Client { get; }

    /// <summary>
    /// Starts the silos and the API. <paramref name="services"/>: services whose <see cref="StatusHookOptions"/> the silos
    /// use (default options otherwise); <paramref name="configureApi"/> changes the API's options from the harness's;
    /// <paramref name="durable"/> the silos' durable messaging options (attempts, back-off, sweeper); <paramref name="retention"/>
    /// the silos' retention options (default: every kind kept forever); <paramref name="siloServices"/> changes each
    /// silo's services after the orchestrator's are added (options of container steps, say).
    /// </summary>
    public static async Task<EngineHarness> StartAsync(OrchestratorDatabaseOptions store, int silos = 1, ManualTimeProvider? clock = null, IServiceProvider? services = null,
        Action<ApiOptions>? configureApi = null, Action<DurableOptions>? durable = null, Action<Grains.Retention.RetentionOptions>? retention = null,
        Action<IServiceCollection>? siloServices = null)
    {
        ArgumentNullException.ThrowIfNull(store);
        var hooks = services?.GetService<IOptions<StatusHookOptions>>()?.Value;
        var builder = new InProcessTestClusterBuilder((short)silos);
        builder.ConfigureSilo((_, silo) =>
        {
            // Retention keeps everything unless a test asks for it: tests that move the clock by years keep their runs.
            silo.AddOrchestrator(store, clock ?? TimeProvider.System, durable, hooks is null ? null : o => Copy(hooks, o), retention: retention ?? KeepEverything);
            siloServices?.Invoke(silo.Services);
            silo.Configure<ClusterMembershipOptions>(membership =>
            {
                // A killed silo is declared dead in seconds, so that fault tests see its grains move on.
                membership.ProbeTimeout = TimeSpan.FromMilliseconds(500);
                membership.NumMissedProbesLimit = 2;
                membership.NumVotesForDeathDeclaration = 1;
            });
        });
        builder.ConfigureClient(client =>
        {
            client.Services.AddSerializer(s => s.AddOrchestratorSerialization());
            // A silo started after its predecessor was killed is this client's next gateway: find it in seconds.
            client.Configure<GatewayOptions>(gateways => gateways.GatewayListRefreshPeriod = TimeSpan.FromSeconds(1));
        });
        var inner = builder.Build();
        await inner.DeployAsync();
        var cluster = new EngineCluster(inner);
        var database = OrchestratorDatabase.Open(store, NullLoggerFactory.Instance, clock: clock);
        var harness = new EngineHarness(cluster, store, database, clock, FreePort(), configureApi);
        await harness.StartApiAsync();
        return harness;
    }

    private static void KeepEverything(Grains.Retention.RetentionOptions options) =>
        (options.InstanceRetention, options.LogRetention, options.AuditRetention, options.FileRetention, options.StaleHostAfter) =
            (TimeSpan.Zero, TimeSpan.Zero, TimeSpan.Zero, TimeSpan.Zero, TimeSpan.Zero);

    private static void Copy(StatusHookOptions from, StatusHookOptions to)
    {
        to.DefaultSecret = from.DefaultSecret;
        to.AttemptTimeout = from.AttemptTimeout;
        to.InitialBackoff = from.InitialBackoff;
        to.MaxBackoff = from.MaxBackoff;
        to.MaxRetryDuration = from.MaxRetryDuration;
        to.BlockPrivateNetworks = from.BlockPrivateNetworks;
    }

    /// <summary>Starts the API on this harness's port (again, after <see cref="StopApiAsync"/>).</summary>
    public async Task StartApiAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls(Server);
        builder.Logging.ClearProviders();
        AddClusterServices(builder.Services);
        var apiOptions = new ApiOptions
        {
            AgentToken = Token,
            AgentHeartbeatInterval = TimeSpan.FromSeconds(1),
            AgentPollWait = TimeSpan.FromSeconds(2),
            AgentPollInterval = TimeSpan.FromMilliseconds(50),
            Auth = new Api.Identity.AuthOptions { AdminToken = AdminToken },
        };
        _configureApi?.Invoke(apiOptions);
        builder.Services.AddOrchestratorApi(apiOptions);
        _api = builder.Build();
        _api.MapOrchestratorApi();
        await _api.StartAsync();
    }

    /// <summary>What an API on this cluster needs besides its options: the grain factory, the database, the orchestrator clock.</summary>
    public void AddClusterServices(IServiceCollection services)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.AddSingleton<IGrainFactory>(Cluster.Client);
        services.AddSingleton(Database);
        services.AddSingleton(OrchestratorClock);
    }

    public async Task StopApiAsync()
    {
        if (_api is not null)
        {
            await _api.StopAsync();
            await _api.DisposeAsync();
            _api = null;
        }
    }

    public AgentProcess StartAgent(string host, IReadOnlyDictionary<string, string>? labels = null, string stateDir = "", params string[] extra)
    {
        var agent = AgentProcess.Start(Server, Token, host, labels, stateDir, extra);
        _agents.Add(agent);
        return agent;
    }

    /// <summary>Waits until every named host is online in the inventory.</summary>
    public Task WaitForHostsAsync(params string[] hosts) =>
        Eventually.Until(async () =>
        {
            var rows = await Client.Indexes.GetAsync(IndexKinds.Host, "", hosts);
            return rows.Count(r => r.Status == (int)HostStatus.Online);
        }, n => n == hosts.Length, TimeSpan.FromSeconds(60), $"hosts {string.Join(", ", hosts)} online");

    /// <summary>Stores a plan (YAML) under a new id and returns the id.</summary>
    public async Task<string> PutPlanAsync(string yaml, string? id = null)
    {
        id ??= "p" + Guid.NewGuid().ToString("N")[..12];
        using var content = new StringContent(yaml, Encoding.UTF8, "application/yaml");
        using var response = await Http.PutAsync($"/api/v1/plans/{id}", content);
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"PUT plan: {(int)response.StatusCode} {body}");
        return id;
    }

    /// <summary>Starts a task instance of the plan and returns its id.</summary>
    public async Task<string> RunAsync(string planId, object? parameters = null)
    {
        using var response = await Http.PostAsJsonAsync($"/api/v1/plans/{planId}/run", new { parameters });
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.Accepted, $"run: {(int)response.StatusCode} {body}");
        return JsonNode.Parse(body)!["id"]!.GetValue<string>();
    }

    /// <summary>The instance, or <c>{"status":"absent"}</c> while its start command is still on its way.</summary>
    public async Task<JsonNode> GetInstanceAsync(string id) => await GetOrAbsentAsync($"/api/v1/task-instances/{id}");

    private async Task<JsonNode> GetOrAbsentAsync(string path)
    {
        using var response = await Http.GetAsync(path);
        if (response.StatusCode == HttpStatusCode.NotFound)
        {
            return new JsonObject { ["status"] = "absent" };
        }
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"GET {path}: {(int)response.StatusCode} {body}");
        return JsonNode.Parse(body)!;
    }

    public static string StatusOf(JsonNode instance) => instance["status"]!.GetValue<string>();

    public static string StepStatus(JsonNode instance, int step) => instance["steps"]?[step]?["status"]?.GetValue<string>() ?? "absent";

    /// <summary>Waits until the instance's status is one of <paramref name="statuses"/>.</summary>
    public Task<JsonNode> WaitForInstanceAsync(string id, TimeSpan timeout, params string[] statuses) =>
        Eventually.Until(() => GetInstanceAsync(id), i => statuses.Contains(StatusOf(i)), timeout, $"instance {id} {string.Join("|", statuses)}");

    public Task<JsonNode> WaitForStepAsync(string id, int step, TimeSpan timeout, params string[] statuses) =>
        Eventually.Until(() => GetInstanceAsync(id), i => statuses.Contains(StepStatus(i, step)), timeout, $"step {step} of {id} {string.Join("|", statuses)}");

    public Task<JsonNode> GetTargetAsync(string id, int step, string host) => GetOrAbsentAsync($"/api/v1/task-instances/{id}/steps/{step}/targets/{host}");

    public async Task<JsonArray> ListTargetsAsync(string id, int step, string? status = null) =>
        JsonNode.Parse(await Http.GetStringAsync($"/api/v1/task-instances/{id}/steps/{step}/targets?limit=1000" + (status is null ? "" : $"&status={status}")))!["items"]!.AsArray();

    /// <summary>A run's log as text; empty while the target does not exist yet.</summary>
    public async Task<string> LogTextAsync(string id, int step, string host, int? run = null)
    {
        using var response = await Http.GetAsync($"/api/v1/task-instances/{id}/steps/{step}/targets/{host}/log?format=text&limit=10000" + (run is null ? "" : $"&run={run}"));
        var body = await response.Content.ReadAsStringAsync();
        if (response.StatusCode == HttpStatusCode.NotFound)
        {
            return "";
        }
        Assert.True(response.IsSuccessStatusCode, $"GET log: {(int)response.StatusCode} {body}");
        return body;
    }

    /// <summary>POSTs a control action as <paramref name="user"/> (an API token of that name, admin everywhere).</summary>
    public async Task<HttpResponseMessage> ControlAsync(string path, object? body = null, string user = "tester")
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = JsonContent.Create(body ?? new { }) };
        request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", await TokenForAsync(user));
        return await Http.SendAsync(request);
    }

    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var agent in _agents)
        {
            await agent.DisposeAsync();
        }
        await StopApiAsync();
        await Cluster.DisposeAsync();
        await Database.DisposeAsync();
        await EngineStores.DropAsync(Store);
        Http.Dispose();
    }

    internal static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);
}
