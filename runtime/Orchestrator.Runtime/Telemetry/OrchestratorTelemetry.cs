using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace Orchestrator.Runtime.Telemetry;

/// <summary>
/// The orchestrator's own meter and activity source (both named <see cref="Name"/>). Instruments and spans cost a
/// flag check when nothing listens: <see cref="Counter{T}.Add(T)"/> returns at once without a listener, and
/// <see cref="ActivitySource.StartActivity(string, ActivityKind)"/> returns null; a host that exports them registers
/// the name with OpenTelemetry (the silo's <c>Telemetry/</c>). What each instrument means: docs/observability.md.
/// </summary>
public static class OrchestratorTelemetry
{
    /// <summary>The meter's and the activity source's name.</summary>
    public const string Name = "Orchestrator";

    /// <summary>The agent's activity source (its work on a host is a span of the run's trace).</summary>
    public const string AgentSourceName = "Orchestrator.Agent";

    public static readonly Meter Meter = new(Name);

    public static readonly ActivitySource Source = new(Name);
}
