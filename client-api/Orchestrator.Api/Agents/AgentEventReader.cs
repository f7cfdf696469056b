using System.Text.Json;
using Orchestrator.Agent.Protocol;
using Orchestrator.Api.Common;

namespace Orchestrator.Api.Agents;

/// <summary>Reads and checks one item of an /events request (docs/agent-protocol.md, "Limits").</summary>
internal static class AgentEventReader
{
    private static readonly Dictionary<string, AgentEventType> Types = new(StringComparer.OrdinalIgnoreCase)
    {
        ["started"] = AgentEventType.Started,
        ["progress"] = AgentEventType.Progress,
        ["finished"] = AgentEventType.Finished,
    };

    private static readonly Dictionary<string, AgentOutcome> Outcomes = new(StringComparer.OrdinalIgnoreCase)
    {
        ["succeeded"] = AgentOutcome.Succeeded,
        ["failed"] = AgentOutcome.Failed,
        ["timedOut"] = AgentOutcome.TimedOut,
        ["cancelled"] = AgentOutcome.Cancelled,
        ["error"] = AgentOutcome.Error,
    };

    /// <summary>The event and its host target's key, or null with the reasons in <paramref name="errors"/>.</summary>
    public static (AgentEvent Event, string TargetKey)? Read(JsonElement item, string path, DateTimeOffset now, List<FieldError> errors)
    {
        if (JsonFields.Of(item, path, errors) is not { } e)
        {
            return null;
        }
        var id = e.String("assignmentId", required: true, ProtocolLimits.MaxAssignmentIdLength);
        var targetKey = "";
        if (id is not null && AgentIds.CheckAssignment(id, out targetKey) is { } badId)
        {
            e.Error("assignmentId", badId);
        }
        AgentEventType? type = null;
        if (e.String("type", required: true, 16) is { } typeName)
        {
            type = Types.TryGetValue(typeName, out var known) ? known : null;
            if (type is null)
            {
                e.Error("type", $"is '{AgentIds.Shown(typeName)}'; it must be started, progress or finished.");
            }
        }
        var at = e.Time("at", required: true, now);
        var percent = e.Integer("percent", required: false, 0, 100);
        var message = e.String("message", required: false, ProtocolLimits.MaxMessageChars);
        AgentOutcome? outcome = null;
        if (e.String("outcome", required: type == AgentEventType.Finished, 16) is { } outcomeName)
        {
            outcome = Outcomes.TryGetValue(outcomeName, out var known) ? known : null;
            if (outcome is null)
            {
                e.Error("outcome", $"is '{AgentIds.Shown(outcomeName)}'; it must be succeeded, failed, timedOut, cancelled or error.");
            }
        }
        var exitCode = e.Integer("exitCode", required: false, int.MinValue, int.MaxValue);
        var outputs = Outputs(e);
        var logChunks = e.Integer("logChunks", required: false, 0, ProtocolLimits.MaxSeq + 1);
        var sha = e.String("uploadedSha256", required: false, 64);
        if (sha is not null && (sha.Length != 64 || !sha.All(char.IsAsciiHexDigit)))
        {
            e.Error("uploadedSha256", "must be 64 hexadecimal digits (a SHA-256).");
        }
        var startedAt = e.Time("startedAt", required: false, now);
        if (errors.Count > 0)
        {
            return null;
        }
        return (new AgentEvent
        {
            AssignmentId = id!,
            Type = type!.Value,
            At = at!.Value,
            Percent = (int?)percent,
            Message = message,
            Outcome = outcome,
            ExitCode = (int?)exitCode,
            Outputs = outputs,
            LogChunks = logChunks,
            UploadedSha256 = sha?.ToLowerInvariant(),
            StartedAt = startedAt,
            TraceParent = TraceParent(item),
        }, targetKey);
    }

    /// <summary>The agent's span, if it sent a well-formed <c>traceparent</c>: telemetry only, so anything else is ignored rather than refused.</summary>
    private static string? TraceParent(JsonElement item) =>
        item.TryGetProperty("traceParent", out var value) && value.ValueKind == JsonValueKind.String && value.GetString() is { Length: <= 64 } text
            && System.Diagnostics.ActivityContext.TryParse(text, null, out _)
            ? text
            : null;

    private static Dictionary<string, string>? Outputs(JsonFields e)
    {
        if (e.StringMap("outputs", ProtocolLimits.MaxOutputs) is not { } outputs)
        {
            return null;
        }
        long chars = 0;
        foreach (var (name, value) in outputs)
        {
            if (!ProtocolLimits.IsOutputName(name))
            {
                e.Error("outputs", $"'{AgentIds.Shown(name)}' is not an output name: 1 to {ProtocolLimits.MaxOutputNameLength} letters, digits, '-', '_' or '.'.");
                return null;
            }
            if (value.Length > ProtocolLimits.MaxOutputValueChars)
            {
                e.Error($"outputs.{name}", $"is {value.Length} characters long; at most {ProtocolLimits.MaxOutputValueChars} are allowed.");
                return null;
            }
            chars += name.Length + value.Length;
        }
        if (chars > ProtocolLimits.MaxOutputsChars)
        {
            e.Error("outputs", $"hold {chars} characters (names and values); at most {ProtocolLimits.MaxOutputsChars} are allowed.");
            return null;
        }
        return outputs;
    }
}
