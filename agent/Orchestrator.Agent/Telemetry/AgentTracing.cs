using OpenTelemetry;
using OpenTelemetry.Exporter;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace Orchestrator.Agent.Telemetry;

/// <summary>
/// The agent process's span export: OTLP, only when configured (<see cref="AgentOptions.OtlpEndpoint"/>, or the
/// standard <c>OTEL_EXPORTER_OTLP_ENDPOINT</c>, which the exporter then reads with the other <c>OTEL_*</c> settings).
/// Only spans with a parent are sampled, which on an agent are the assignments' (children of a run's trace) and what
/// runs inside them: its polls, heartbeats and report batches never start traces of their own.
/// </summary>
public static class AgentTracing
{
    /// <summary>The provider to dispose at exit (it flushes), or null when no export is configured.</summary>
    public static TracerProvider? Create(AgentOptions options, IReadOnlyDictionary<string, string?> environment)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(environment);
        var standard = environment.TryGetValue("OTEL_EXPORTER_OTLP_ENDPOINT", out var configured) && !string.IsNullOrWhiteSpace(configured);
        if (options.OtlpEndpoint is null && !standard)
        {
            return null;
        }
        return Sdk.CreateTracerProviderBuilder()
            .ConfigureResource(r => r.AddService("orchestrator-agent", serviceInstanceId: options.Simulate > 0 ? options.HostPrefix + "*" : options.Host))
            .AddSource(AgentTelemetry.SourceName)
            .SetSampler(new ParentBasedSampler(new AlwaysOffSampler()))
            .AddOtlpExporter(o =>
            {
                if (options.OtlpEndpoint is { } endpoint)
                {
                    o.Protocol = OtlpExportProtocol.HttpProtobuf;
                    o.Endpoint = TracesAddress(endpoint);
                }
            })
            .Build();
    }

    /// <summary>A collector's base address as the OTLP/HTTP traces address (<c>…/v1/traces</c>), as the standard variable is read.</summary>
    public static Uri TracesAddress(Uri endpoint)
    {
        ArgumentNullException.ThrowIfNull(endpoint);
        var text = endpoint.AbsoluteUri.TrimEnd('/');
        return new Uri(text.EndsWith("/v1/traces", StringComparison.Ordinal) ? text : text + "/v1/traces");
    }
}
