using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using Orchestrator.Engine.Tests.Infrastructure;
using Orchestrator.Runtime.Tests.Infrastructure;
using Xunit.Abstractions;

namespace Orchestrator.Engine.Tests.Observability;

/// <summary>
/// <c>/metrics</c> of a real silo process after a plan run on its local agent, parsed by <see cref="PrometheusText"/>:
/// our series count what the run did, Orleans' and the .NET runtime's are there, and no token is needed.
/// </summary>
public sealed class MetricsTests(ITestOutputHelper output) : IAsyncLifetime
{
    private readonly List<SiloProcess> _silos = [];
    private Runtime.Persistence.OrchestratorDatabaseOptions? _store;

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        foreach (var silo in Enumerable.Reverse(_silos))
        {
            output.WriteLine($"--- silo on port {silo.Port} ---\n" + silo.Log);
            await silo.DisposeAsync();
        }
        if (_store is not null)
        {
            await EngineStores.DropAsync(_store);
        }
    }

    [Fact]
    public async Task Metrics_OfAnApiProcess_AreServedWithoutATokenWithTheClusterCountsAndNoSiloReadiness()
    {
        _store = EngineStores.Postgres("metricsapi");
        const string token = "metrics-api-agent-token";
        var silo = SiloProcess.Start(SiloProcess.NewDataDirectory("metrics-silo"), "--store", "postgres", "--connection-string", _store.ConnectionString,
            "--agent-token", token, "--shutdown-drain-timeout", "00:00:05");
        _silos.Add(silo);
        await silo.WaitReadyAsync();
        var api = SiloProcess.Start(SiloProcess.NewDataDirectory("metrics-api"), "--role", "api", "--store", "postgres", "--connection-string", _store.ConnectionString,
            "--agent-token", token, "--shutdown-drain-timeout", "00:00:05");
        _silos.Add(api);
        await api.WaitReadyAsync();

        using var scraper = new HttpClient { BaseAddress = api.Http.BaseAddress };
        var metrics = await Eventually.Until(async () => await ScrapeAsync(scraper), m => m.Has("orchestrator_hosts"), TimeSpan.FromSeconds(60),
            "the cluster's counts in the API process's /metrics");
        Assert.Equal(0, metrics.Sum("orchestrator_hosts", "status=online"));
        Assert.True(metrics.Sum("dotnet_process_memory_working_set_bytes") > 0);
        Assert.Contains(metrics.Types.Keys, k => k.StartsWith("orleans_", StringComparison.Ordinal)); // its Orleans client's meter
        Assert.False(metrics.Has("orchestrator_silo_ready")); // not a silo: the no-silo-ready alert must not count it
        using var siloScraper = new HttpClient { BaseAddress = silo.Http.BaseAddress };
        var siloMetrics = await ScrapeAsync(siloScraper);
        Assert.Equal(1, siloMetrics.Sum("orchestrator_silo_ready"));

        Assert.Equal(0, (await api.StopAsync()).ExitCode);
        Assert.Equal(0, (await silo.StopAsync()).ExitCode);
    }

    [Fact]
    public async Task Metrics_AfterAPlanRun_CountTheRunAndServeOrleansAndRuntimeSeriesWithoutAToken()
    {
        var silo = SiloProcess.Start(SiloProcess.NewDataDirectory("metrics"), "--shutdown-drain-timeout", "00:00:05");
        _silos.Add(silo);
        await silo.WaitForHostAsync("local");
        using (var put = await silo.Http.PutAsync("/api/v1/plans/counted", new StringContent("""
            name: counted
            steps:
              - name: greet
                script: echo "counted"
                targets:
                  hosts: [local]
            """, Encoding.UTF8, "application/yaml")))
        {
            Assert.Equal(HttpStatusCode.Created, put.StatusCode);
        }
        using var run = await silo.Http.PostAsJsonAsync("/api/v1/plans/counted/run", new { });
        var id = JsonNode.Parse(await run.Content.ReadAsStringAsync())!["id"]!.GetValue<string>();
        await Eventually.Until(async () => JsonNode.Parse(await silo.Http.GetStringAsync($"/api/v1/task-instances/{id}"))!["status"]!.GetValue<string>(),
            s => s is "succeeded" or "failed", TimeSpan.FromSeconds(60), $"instance {id} finished");

        using var scraper = new HttpClient { BaseAddress = silo.Http.BaseAddress }; // no token: scrapers carry none
        Assert.Equal(HttpStatusCode.Unauthorized, (await scraper.GetAsync("/api/v1/plans")).StatusCode);
        // The cluster's counts come from the database at most every 15 s, refreshed by a scrape: scrape until they show the run.
        var metrics = await Eventually.Until(async () => await ScrapeAsync(scraper),
            m => m.Sum("orchestrator_instances_current", "status=succeeded") == 1 && m.Sum("orchestrator_hosts", "status=online") == 1,
            TimeSpan.FromSeconds(60), "the run and the local agent in /metrics' cluster counts");

        // The run's transitions, counted once each.
        Assert.Equal("counter", metrics.Types["orchestrator_instances_total"]);
        Assert.Equal(1, metrics.Sum("orchestrator_instances_total", "status=running"));
        Assert.Equal(1, metrics.Sum("orchestrator_instances_total", "status=succeeded"));
        Assert.Equal(1, metrics.Sum("orchestrator_steps_total", "status=succeeded"));
        Assert.Equal(1, metrics.Sum("orchestrator_targets_total", "status=succeeded"));
        Assert.Equal(1, metrics.Sum("orchestrator_assignments_total"));
        // Dispatch (assigned → picked up) and report (finished → applied) latencies: one each.
        Assert.Equal("histogram", metrics.Types["orchestrator_dispatch_latency_seconds"]);
        Assert.Equal(1, metrics.Sum("orchestrator_dispatch_latency_seconds_count"));
        Assert.Equal(1, metrics.Sum("orchestrator_report_latency_seconds_count"));
        // The group-committing store: transactions, each of at least one write.
        var commits = metrics.Sum("orchestrator_storage_commit_duration_seconds_count");
        Assert.True(commits >= 1, $"{commits} commits");
        Assert.Equal(commits, metrics.Sum("orchestrator_storage_commit_batch_size_count"));
        Assert.True(metrics.Sum("orchestrator_storage_commit_batch_size_sum") >= commits);
        // Queue depths: nothing left pending once the run is over and its messages acknowledged.
        Assert.Equal("gauge", metrics.Types["orchestrator_assignments_open"]);
        Assert.Equal(0, metrics.Sum("orchestrator_assignments_open")); // the run's one assignment ended with it
        Assert.True(metrics.Has("orchestrator_outbox_pending"));
        Assert.True(metrics.Has("orchestrator_notices_pending"));
        Assert.Equal(0, metrics.Sum("orchestrator_dead_letters_parked_total"));
        Assert.Equal(1, metrics.Sum("orchestrator_silo_ready"));
        // Orleans' own meter and the runtime's.
        Assert.True(metrics.Sum("orleans_catalog_activations") >= 1);
        Assert.Contains(metrics.Types.Keys, k => k.StartsWith("orleans_messaging_", StringComparison.Ordinal));
        Assert.True(metrics.Sum("dotnet_process_cpu_time_seconds_total") > 0);
        Assert.True(metrics.Sum("dotnet_process_memory_working_set_bytes") > 0);
        Assert.True(metrics.Has("dotnet_gc_collections_total"));
        // The dashboard and the alert rules ask only for series a silo serves.
        Assert.DoesNotContain(MonitoringSeries(), name => !Served(metrics, name));

        Assert.Equal(0, (await silo.StopAsync()).ExitCode);
    }

    /// <summary>Counters a run without failures never touches: the exporter has no series for them until their first count.</summary>
    private static readonly string[] NotRecordedByThisRun =
        ["orchestrator_dead_letters_parked_total", "orchestrator_hook_deliveries_total", "orchestrator_storage_commit_failures_total"];

    /// <summary>The series names of ours, Orleans' and the runtime's in k8s/monitoring's queries (the dashboard's and the alert rules' expressions).</summary>
    private static IReadOnlyList<string> MonitoringSeries()
    {
        var dashboard = JsonNode.Parse(File.ReadAllText(Repo.Path("k8s", "monitoring", "dashboard.json")))!;
        var expressions = dashboard["panels"]!.AsArray().SelectMany(p => p!["targets"]!.AsArray()).Select(t => t!["expr"]!.GetValue<string>()).ToList();
        var yaml = new YamlDotNet.Serialization.Deserializer();
        var configMap = yaml.Deserialize<Dictionary<string, object>>(File.ReadAllText(Repo.Path("k8s", "monitoring", "alerts.yaml")));
        Assert.Equal("ConfigMap", configMap["kind"]);
        var rules = yaml.Deserialize<Dictionary<string, List<Dictionary<string, object>>>>(
            (string)((Dictionary<object, object>)configMap["data"])["orchestrator.rules.yaml"]);
        expressions.AddRange(rules["groups"].SelectMany(g => (List<object>)g["rules"]).Select(r => (string)((Dictionary<object, object>)r)["expr"]));
        Assert.True(expressions.Count >= 20, $"{expressions.Count} expressions");
        return [.. expressions.SelectMany(e => System.Text.RegularExpressions.Regex.Matches(e, "(?<![A-Za-z0-9_])(?:orchestrator|orleans|dotnet)_[a-z0-9_]+"))
            .Select(m => m.Value).Distinct(StringComparer.Ordinal)];
    }

    private static bool Served(PrometheusText metrics, string name) =>
        NotRecordedByThisRun.Contains(name) || metrics.Types.ContainsKey(name)
        || new[] { "_bucket", "_sum", "_count" }.Any(s => name.EndsWith(s, StringComparison.Ordinal) && metrics.Types.ContainsKey(name[..^s.Length]));

    private static async Task<PrometheusText> ScrapeAsync(HttpClient scraper)
    {
        using var response = await scraper.GetAsync("/metrics");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/plain", response.Content.Headers.ContentType?.MediaType);
        return PrometheusText.Parse(await response.Content.ReadAsStringAsync());
    }
}
