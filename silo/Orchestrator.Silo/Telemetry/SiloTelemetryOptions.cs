namespace Orchestrator.Silo.Telemetry;

/// <summary>
/// Traces and logs of a silo or API process (docs/observability.md). <c>/metrics</c> is always served; traces are
/// exported only when an OTLP endpoint is configured.
/// </summary>
public sealed class SiloTelemetryOptions
{
    /// <summary>
    /// Where spans are exported over OTLP/HTTP protobuf: the collector's base address (<c>http://collector:4318</c>;
    /// <c>/v1/traces</c> is added). <c>--otlp-endpoint</c>, <c>ORCH_OTLP_ENDPOINT</c>. Default empty: no export, unless
    /// the standard <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> is set (the exporter then reads it and the other <c>OTEL_*</c>
    /// settings itself). Without either no span is made at all, so tracing costs nothing.
    /// </summary>
    public string OtlpEndpoint { get; set; } = "";

    /// <summary>
    /// Console log format: <c>simple</c> (the default, ASP.NET Core's) or <c>json</c> (one JSON object per entry, with
    /// the trace and span ids of the request or run it was written in). <c>--log-format</c>, <c>ORCH_LOG_FORMAT</c>.
    /// </summary>
    public string LogFormat { get; set; } = "simple";

    /// <summary>The problems with the values, each naming the setting.</summary>
    public IEnumerable<string> Validate()
    {
        if (OtlpEndpoint.Length > 0 && !(Uri.TryCreate(OtlpEndpoint, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https"))
        {
            yield return $"OtlpEndpoint: '{OtlpEndpoint}' is not an absolute http or https address (the collector's, e.g. http://collector:4318).";
        }
        if (LogFormat is not ("simple" or "json"))
        {
            yield return $"LogFormat: '{LogFormat}' must be simple or json.";
        }
    }

    /// <summary>Whether spans are exported: our setting, or the standard OpenTelemetry variable.</summary>
    public bool TracingEnabled(IReadOnlyDictionary<string, string?> environment)
    {
        ArgumentNullException.ThrowIfNull(environment);
        return OtlpEndpoint.Length > 0
            || (environment.TryGetValue("OTEL_EXPORTER_OTLP_ENDPOINT", out var standard) && !string.IsNullOrWhiteSpace(standard));
    }
}
