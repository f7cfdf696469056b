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
using Orchestrator.Api.Hosting;
using Orchestrator.Grains.Hooks;
using Orchestrator.Grains.Plans;
using Orchestrator.Runtime.Client;
using Orchestrator.Runtime.Hosting;
using Orchestrator.Runtime.Messaging;
using Orchestrator.Runtime.Testing;
using Orchestrator.Runtime.Tests.Infrastructure;

namespace Orchestrator.Engine.Tests.Infrastructure;

/// <summary>
/// The orchestrator as the tests drive it: a test cluster of silos on a real store, the real REST API and agent
/// gateway on a real Kestrel port (restartable on the same port), and real agent processes.
/// </summary>
public sealed class EngineHarness : IAsyncDisposable
{
    public static readonly GrainTypeRegistry Registry = GrainTypeRegistry.FromAssemblies(typeof(PlanGrain).Assembly);

    private readonly List<AgentProcess> _agents = [];
    private WebApplication? _api;

    private readonly Action<ApiOptions>? _configureApi;

    private EngineHarness(TestCluster cluster, RuntimeOptions options, ManualTimeProvider? clock, int port, Action<ApiOptions>? configureApi)
    {
        _configureApi = configureApi;
        Cluster = cluster;
        Options = options;
        Clock = clock;
        Port = port;
        Http = new HttpClient { BaseAddress = new Uri(Server), Timeout = TimeSpan.FromSeconds(60) };
    }

    public TestCluster Cluster { get; }

    public RuntimeOptions Options { get; }

    /// <summary>The cluster's clock when the test drives time; null when it runs on real time.</summary>
    public ManualTimeProvider? Clock { get; }

    public int Port { get; }

    public string Server => $"http://127.0.0.1:{Port}";

    public string Token { get; } = Guid.NewGuid().ToString("N");

    public HttpClient Http { get; }

    public ClusterClient Client => Cluster.Client;

    /// <summary>
    /// Starts the cluster and the API; <paramref name="services"/> are the silos' services (default: status hooks with
    /// default options), <paramref name="configureApi"/> changes the API's options from the harness's.
    /// </summary>
    public static async Task<EngineHarness> StartAsync(RuntimeOptions options, int silos = 1, ManualTimeProvider? clock = null, IServiceProvider? services = null,
        Action<ApiOptions>? configureApi = null)
    {
        options.ShardCount = 16;
        options.LeaseTime = TimeSpan.FromSeconds(4);
        var cluster = await TestCluster.StartAsync(new TestClusterOptions
        {
            Runtime = options,
            Registry = Registry,
            InitialSilos = silos,
            Clock = clock ?? TimeProvider.System,
            Services = services ?? new ServiceCollection().AddStatusHooks().BuildServiceProvider(),
        });
        await cluster.WaitForStableAsync(TimeSpan.FromSeconds(30));
        var harness = new EngineHarness(cluster, options, clock, FreePort(), configureApi);
        await harness.StartApiAsync();
        return harness;
    }

    /// <summary>Starts the API on this harness's port (again, after <see cref="StopApiAsync"/>).</summary>
    public async Task StartApiAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls(Server);
        builder.Logging.ClearProviders();
        builder.Services.AddSingleton<IClusterClientProvider>(new Provider(Cluster.Client));
        if (Clock is not null)
        {
            builder.Services.AddSingleton<TimeProvider>(Clock);
        }
        var apiOptions = new ApiOptions
        {
            AgentToken = Token,
            AgentHeartbeatInterval = TimeSpan.FromSeconds(1),
            AgentPollWait = TimeSpan.FromSeconds(2),
            AgentPollInterval = TimeSpan.FromMilliseconds(50),
        };
        _configureApi?.Invoke(apiOptions);
        builder.Services.AddOrchestratorApi(apiOptions);
        _api = builder.Build();
        _api.MapOrchestratorApi();
        await _api.StartAsync();
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
            var rows = await Client.Indexes.GetAsync(GrainInterfaces.IndexKinds.Host, "", hosts);
            return rows.Count(r => r.Status == (int)GrainInterfaces.HostStatus.Online);
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

    public async Task<HttpResponseMessage> ControlAsync(string path, object? body = null, string user = "tester")
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = JsonContent.Create(body ?? new { }) };
        request.Headers.Add("X-Orchestrator-User", user);
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
        await TestStores.DropAsync(Options);
        Http.Dispose();
    }

    private sealed class Provider(ClusterClient client) : IClusterClientProvider
    {
        public ClusterClient? Client => client;
    }

    internal static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);
}
