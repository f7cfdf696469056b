using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Orchestrator.Containers.Clusters;
using Orchestrator.Containers.Execution;
using Orchestrator.Containers.Tests.Fake;
using Orchestrator.Engine.Tests.Infrastructure;
using Orchestrator.Grains.Containers;
using Orchestrator.Grains.Retention;
using Orchestrator.Runtime.Tests.Infrastructure;

namespace Orchestrator.Engine.Tests.Clusters;

/// <summary>
/// Two Kubernetes clusters, eu-1 and eu-2, for container steps to run on. They are FAKE API servers
/// (<see cref="FakeCluster"/>: a Kestrel app speaking the Job, Pod, Secret, log, watch and version endpoints), because
/// no Kubernetes API server can run on these machines; everything else is real: the silos on PostgreSQL, the REST API,
/// the KubernetesClient library over HTTP. Each is registered through the API with a kubeconfig file naming its
/// address (the API takes only https API server URLs; a kubeconfig may say http), and is healthy before any test runs.
/// </summary>
public sealed class ContainerClustersFixture : IAsyncLifetime
{
    public static readonly TimeSpan Wait = TimeSpan.FromSeconds(90);

    /// <summary>The jobs (Harbor job service) API's secret on this fixture's API: Harbor-style jobs can name container plans.</summary>
    public const string JobsSecret = "containers-jobs-secret";

    private readonly string _dir = Path.Combine(Path.GetTempPath(), "orch-k8s-" + Guid.NewGuid().ToString("N")[..8]);

    internal FakeCluster Eu1 { get; private set; } = null!;

    internal FakeCluster Eu2 { get; private set; } = null!;

    public EngineHarness Harness { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Directory.CreateDirectory(_dir);
        Eu1 = await FakeCluster.StartAsync("eu-1");
        Eu2 = await FakeCluster.StartAsync("eu-2");
        Harness = await EngineHarness.StartAsync(EngineStores.Postgres("containers"), siloServices: FastContainers, configureApi: o => o.JobsSecret = JobsSecret);
        await RegisterAsync(Harness, "eu-1", Eu1, new() { ["region"] = "eu", ["tier"] = "a" }, capacity: 5);
        await RegisterAsync(Harness, "eu-2", Eu2, new() { ["region"] = "eu" }, capacity: 5);
        await WaitForHealthAsync(Harness, "eu-1", "Healthy");
        await WaitForHealthAsync(Harness, "eu-2", "Healthy");
    }

    public async Task DisposeAsync()
    {
        await Harness.DisposeAsync();
        await Eu1.DisposeAsync();
        await Eu2.DisposeAsync();
        Directory.Delete(_dir, recursive: true);
    }

    /// <summary>Short graces and probe intervals, so that an image that cannot be pulled or a cluster that went away shows in seconds.</summary>
    public static void FastContainers(IServiceCollection services)
    {
        services.Configure<JobRunOptions>(o =>
        {
            o.ImagePullGrace = TimeSpan.FromSeconds(1);
            o.UnreachableGrace = TimeSpan.FromSeconds(3);
            o.RequestTimeout = TimeSpan.FromSeconds(5);
            o.ReconnectDelay = TimeSpan.FromMilliseconds(100);
            o.LogDrainTimeout = TimeSpan.FromSeconds(5);
        });
        services.Configure<ClusterHealthOptions>(o =>
        {
            o.ProbeInterval = TimeSpan.FromMilliseconds(300);
            o.ProbeTimeout = TimeSpan.FromSeconds(2);
            o.UnhealthyAfter = 2;
        });
    }

    /// <summary>
    /// A harness of its own on a clock the test moves, for schedules and retention, with the fake cluster registered
    /// as <paramref name="name"/> and healthy. The grains read the test's clock; the Kubernetes clients (probes, Job
    /// watches) keep real time, as the fake's API server does.
    /// </summary>
    internal static async Task<EngineHarness> StartOnClockAsync(string schema, ManualTimeProvider clock, string dir, string name, FakeCluster fake,
        Action<RetentionOptions>? retention = null)
    {
        var h = await EngineHarness.StartAsync(EngineStores.Postgres(schema), clock: clock, retention: retention, siloServices: services =>
        {
            FastContainers(services);
            services.AddSingleton(sp => new ClusterClients(sp.GetRequiredService<IOptions<JobRunOptions>>(), sp.GetRequiredService<IOptions<ClusterHealthOptions>>(), TimeProvider.System));
        });
        try
        {
            await RegisterAsync(h, dir, name, fake, [], capacity: 5);
            await WaitForHealthAsync(h, name, "Healthy");
            return h;
        }
        catch
        {
            await h.DisposeAsync();
            throw;
        }
    }

    /// <summary>Registers <paramref name="fake"/> as cluster <paramref name="name"/> through the API.</summary>
    internal Task RegisterAsync(EngineHarness h, string name, FakeCluster fake, Dictionary<string, string> labels, int capacity) =>
        RegisterAsync(h, _dir, name, fake, labels, capacity);

    /// <summary>Registers <paramref name="fake"/> through the API, with a kubeconfig written in <paramref name="dir"/>.</summary>
    internal static async Task RegisterAsync(EngineHarness h, string dir, string name, FakeCluster fake, Dictionary<string, string> labels, int capacity)
    {
        var kubeconfig = Path.Combine(dir, name + ".kubeconfig");
        await File.WriteAllTextAsync(kubeconfig, $"""
            apiVersion: v1
            kind: Config
            clusters:
              - name: {name}
                cluster:
                  server: {fake.Address}
            users:
              - name: {name}
                user:
                  token: fake-token
            contexts:
              - name: {name}
                context:
                  cluster: {name}
                  user: {name}
            current-context: {name}
            """);
        using var response = await h.Http.PutAsJsonAsync($"/api/v1/clusters/{name}", new { defaultNamespace = "default", labels, capacity, credentials = new { kubeconfigFile = kubeconfig } });
        Assert.True(response.IsSuccessStatusCode, $"PUT cluster {name}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
    }

    /// <summary>Waits until the target on <paramref name="cluster"/> has its Job and the fake runs a pod of it.</summary>
    internal async Task<(string Job, string Pod)> RunningPodAsync(FakeCluster fake, string id, string cluster)
    {
        var job = await JobAsync(Harness, id, cluster);
        var pods = await RunningPodsAsync(fake, job, 1);
        return (job, pods[0]);
    }

    /// <summary>Waits until the target on <paramref name="cluster"/> has its Job (of its current run); its name.</summary>
    internal static async Task<string> JobAsync(EngineHarness h, string id, string cluster, int run = 1)
    {
        var target = await Eventually.Until(() => h.GetTargetAsync(id, 0, cluster), t => t["run"]?.GetValue<int>() == run && t["container"]?["job"] is not null, Wait, $"the Job of run {run} of {id} on {cluster}");
        return target["container"]!["job"]!.GetValue<string>();
    }

    /// <summary>Waits until the fake runs exactly <paramref name="count"/> pods of the Job; their names.</summary>
    internal static Task<IReadOnlyList<string>> RunningPodsAsync(FakeCluster fake, string job, int count) =>
        Eventually.Until(() => Task.FromResult(fake.RunningPodsOf(job)), p => p.Count == count, Wait, $"{count} running pod(s) of {job} on {fake.Name}");

    /// <summary>Waits until <c>GET /api/v1/clusters</c> shows the cluster with that health status.</summary>
    public static Task<JsonNode> WaitForHealthAsync(EngineHarness h, string name, string status) =>
        Eventually.Until(() => ClusterAsync(h, name), c => c["health"]?["status"]?.GetValue<string>() == status, Wait, $"cluster {name} {status} in GET /api/v1/clusters");

    /// <summary>The cluster as <c>GET /api/v1/clusters</c> lists it (an empty object when it is not listed).</summary>
    public static async Task<JsonNode> ClusterAsync(EngineHarness h, string name) =>
        JsonNode.Parse(await h.Http.GetStringAsync("/api/v1/clusters?limit=100"))!["items"]!.AsArray().FirstOrDefault(c => c!["name"]!.GetValue<string>() == name) ?? new JsonObject();
}

[CollectionDefinition(Name)]
public sealed class ContainerClustersCollection : ICollectionFixture<ContainerClustersFixture>
{
    public const string Name = "container-clusters";
}
