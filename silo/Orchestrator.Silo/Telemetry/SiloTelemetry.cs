using System.Diagnostics;
using Npgsql;
using OpenTelemetry;
using OpenTelemetry.Exporter;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;
using Orchestrator.Agent.Telemetry;
using Orchestrator.Runtime.Telemetry;

namespace Orchestrator.Silo.Telemetry;

/// <summary>
/// Metrics, traces and structured logs of a silo or API process (docs/observability.md):
/// <list type="bullet">
/// <item><c>/metrics</c> in Prometheus text format: our meter (<see cref="OrchestratorTelemetry.Name"/>), Orleans'
/// (<c>Microsoft.Orleans</c>), the runtime's (<c>System.Runtime</c>), ASP.NET Core's and Kestrel's, and
/// <see cref="ClusterGauges"/>; unauthenticated like <c>/healthz</c> (mapped outside the API's caller policy);</item>
/// <item>traces over OTLP only when configured (<see cref="SiloTelemetryOptions.TracingEnabled"/>): ASP.NET Core, HTTP
/// client, Npgsql, Orleans' grain calls and our run spans (<see cref="RunTrace"/>), the local agent's too;</item>
/// <item>JSON console logs when <see cref="SiloTelemetryOptions.LogFormat"/> is <c>json</c>, with trace and span ids.</item>
/// </list>
/// </summary>
public static class SiloTelemetry
{
    /// <summary>The ASP.NET Core activity's name while it is sampled (its display name becomes the route later).</summary>
    private const string RequestActivity = "Microsoft.AspNetCore.Hosting.HttpRequestIn";

    /// <summary>Orleans' grain-call spans (<c>ActivitySources.ApplicationGrainActivitySourceName</c>).</summary>
    public const string OrleansApplicationSource = "Microsoft.Orleans.Application";

    /// <summary>Label sets kept per metric stream; more are folded into one overflow series (<c>otel_metric_overflow="true"</c>).</summary>
    public const int CardinalityLimit = 500;

    /// <summary>Requests that never start a trace: scrapes, probes and the agents' long polls and heartbeats.</summary>
    private static readonly string[] Untraced = ["/metrics", "/healthz", "/readyz", "/api/v1/agent/poll", "/api/v1/agent/heartbeat", "/dashboard"];

    public static void AddOrchestratorTelemetry(this WebApplicationBuilder builder, SiloTelemetryOptions options, IReadOnlyDictionary<string, string?> environment,
        string serviceName, string instance, bool silo)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(options);
        builder.Logging.Configure(o => o.ActivityTrackingOptions = ActivityTrackingOptions.TraceId | ActivityTrackingOptions.SpanId | ActivityTrackingOptions.ParentId);
        if (options.LogFormat == "json")
        {
            builder.Logging.AddJsonConsole(console =>
            {
                console.IncludeScopes = true;
                console.UseUtcTimestamp = true;
                console.TimestampFormat = "yyyy-MM-ddTHH:mm:ss.fffZ";
            });
        }

        OrchestratorMetrics.EnsureCreated();
        builder.Services.AddSingleton<ClusterGauges>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<ClusterGauges>());
        if (silo)
        {
            builder.Services.AddHostedService<ReadinessGauge>();
        }
        var telemetry = builder.Services.AddOpenTelemetry()
            .ConfigureResource(r => r.AddService(serviceName, serviceInstanceId: instance))
            .WithMetrics(metrics => metrics
                .AddMeter(OrchestratorTelemetry.Name, "Microsoft.Orleans", "System.Runtime", "Microsoft.AspNetCore.Hosting", "Microsoft.AspNetCore.Server.Kestrel")
                // The SDK allocates every stream's points up front (2,000 by default); ours have a handful of label
                // values each, Orleans' a few per grain type and method.
                .AddView(_ => new MetricStreamConfiguration { CardinalityLimit = CardinalityLimit })
                .AddPrometheusExporter());
        if (options.TracingEnabled(environment))
        {
            telemetry.WithTracing(tracing => tracing
                .AddSource(OrchestratorTelemetry.Name, AgentTelemetry.SourceName, OrleansApplicationSource)
                .AddAspNetCoreInstrumentation(o => o.Filter = http => !Untraced.Any(p => http.Request.Path.StartsWithSegments(p, StringComparison.OrdinalIgnoreCase)))
                .AddHttpClientInstrumentation()
                .AddNpgsql()
                .SetSampler(new ParentBasedSampler(new RunRootSampler()))
                .AddOtlpExporter(o =>
                {
                    if (options.OtlpEndpoint.Length > 0)
                    {
                        o.Protocol = OtlpExportProtocol.HttpProtobuf;
                        o.Endpoint = AgentTracing.TracesAddress(new Uri(options.OtlpEndpoint));
                    }
                }));
        }
    }

    /// <summary><c>/metrics</c> (Prometheus text format), outside the API's caller policy: scrapers carry no token.</summary>
    public static void MapOrchestratorMetrics(this IEndpointRouteBuilder routes) => routes.MapPrometheusScrapingEndpoint("/metrics");

    /// <summary>
    /// Which spans may start a trace: a request to the API (the root of a run's trace) and our own (a scheduled run's).
    /// Everything else without a parent is left out — a grain call of the sweeper, a group commit's SQL, a status hook's
    /// POST outside any run — so that a cluster's background work does not bury the runs' traces.
    /// </summary>
    private sealed class RunRootSampler : Sampler
    {
        public override SamplingResult ShouldSample(in SamplingParameters samplingParameters) =>
            samplingParameters.Name == RequestActivity || samplingParameters.Name.StartsWith("orchestrator.", StringComparison.Ordinal)
                ? new SamplingResult(SamplingDecision.RecordAndSample)
                : new SamplingResult(SamplingDecision.Drop);
    }
}
