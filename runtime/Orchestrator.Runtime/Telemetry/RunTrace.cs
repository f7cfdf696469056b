using System.Diagnostics;

namespace Orchestrator.Runtime.Telemetry;

/// <summary>
/// One plan run is one trace. A run outlives any ambient <see cref="Activity"/> (its grains continue in later turns,
/// wake-ups and after restarts), so its trace context travels as data: a W3C <c>traceparent</c> kept in the instance's,
/// steps' and targets' state and passed down in their start commands and in the agent's assignment. Each grain starts
/// short spans under the context it was given (<see cref="Start"/>) and passes its own span down (<see cref="Id"/>).
/// Everything is null when tracing is off: no parse, no span, nothing stored, nothing extra on the fan-out path.
/// </summary>
public static class RunTrace
{
    /// <summary>The ambient span's <c>traceparent</c> when it is recorded (a trace is being exported), else null.</summary>
    public static string? Current() =>
        Activity.Current is { IdFormat: ActivityIdFormat.W3C, Recorded: true } current ? current.Id : null;

    /// <summary>
    /// A span of the run whose context is <paramref name="parent"/>, made current; null when the run has no trace
    /// (<paramref name="parent"/> null or not a <c>traceparent</c>) or nobody listens to <see cref="OrchestratorTelemetry.Source"/>.
    /// </summary>
    public static Activity? Start(string name, string? parent, ActivityKind kind = ActivityKind.Internal)
    {
        if (parent is null || !OrchestratorTelemetry.Source.HasListeners() || !ActivityContext.TryParse(parent, null, isRemote: true, out var context))
        {
            return null;
        }
        return OrchestratorTelemetry.Source.StartActivity(name, kind, context);
    }

    /// <summary>A root span for a run that came without a trace (a scheduled run), when tracing is on; else null.</summary>
    public static Activity? StartRoot(string name) =>
        OrchestratorTelemetry.Source.HasListeners() ? OrchestratorTelemetry.Source.StartActivity(name, ActivityKind.Internal, default(ActivityContext)) : null;

    /// <summary>The context to keep and pass down: <paramref name="span"/>'s when it is recorded, else <paramref name="parent"/>.</summary>
    public static string? Id(Activity? span, string? parent) => span is { Recorded: true, IdFormat: ActivityIdFormat.W3C } ? span.Id : parent;
}
