using System.Diagnostics;
using Orchestrator.Agent.Protocol;

namespace Orchestrator.Agent.Telemetry;

/// <summary>
/// The agent's spans: its work on an assignment is a span of the run's trace (the assignment's <c>traceParent</c>),
/// and its reports carry that span back (<see cref="AgentEvent.TraceParent"/>). Nothing is made when the assignment
/// has no trace or nothing listens (<see cref="ActivitySource.StartActivity(string, ActivityKind, ActivityContext, IEnumerable{KeyValuePair{string, object}}, IEnumerable{ActivityLink}, DateTimeOffset)"/> returns null),
/// so a simulated fleet pays nothing.
/// </summary>
public static class AgentTelemetry
{
    /// <summary>The agent's activity source; the silo exports it too (its local agent).</summary>
    public const string SourceName = "Orchestrator.Agent";

    public static readonly ActivitySource Source = new(SourceName);

    /// <summary>The span of one assignment, made current; null without a trace context or a listener.</summary>
    public static Activity? StartAssignment(Assignment assignment)
    {
        ArgumentNullException.ThrowIfNull(assignment);
        if (assignment.TraceParent is not { } parent || !Source.HasListeners() || !ActivityContext.TryParse(parent, null, isRemote: true, out var context))
        {
            return null;
        }
        var span = Source.StartActivity("orchestrator.agent.run", ActivityKind.Consumer, context);
        span?.SetTag("orchestrator.assignment", assignment.Id);
        span?.SetTag("orchestrator.host", assignment.Host);
        span?.SetTag("orchestrator.kind", assignment.Kind.ToString());
        return span;
    }

    /// <summary>Records the outcome on the span (an error status unless it succeeded).</summary>
    public static void Finish(Activity? span, AgentOutcome outcome, int? exitCode)
    {
        if (span is null)
        {
            return;
        }
        span.SetTag("orchestrator.outcome", outcome.ToString());
        if (exitCode is { } code)
        {
            span.SetTag("process.exit.code", code);
        }
        span.SetStatus(outcome == AgentOutcome.Succeeded ? ActivityStatusCode.Ok : ActivityStatusCode.Error);
    }

    /// <summary>What a report carries back: the span's <c>traceparent</c> when it is recorded.</summary>
    public static string? Id(Activity? span) => span is { Recorded: true, IdFormat: ActivityIdFormat.W3C } ? span.Id : null;
}
