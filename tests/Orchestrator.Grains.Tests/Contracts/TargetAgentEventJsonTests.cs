using System.Text.Json;
using System.Text.Json.Serialization;
using Orchestrator.GrainInterfaces;

namespace Orchestrator.Grains.Tests.Contracts;

/// <summary>
/// <see cref="TargetAgentEvent.Type"/> and <see cref="TargetAgentEvent.Outcome"/> were strings; messages stored then
/// (inbox rows, parked messages) hold them as such and must still read, and what is written now must read the same.
/// </summary>
public sealed class TargetAgentEventJsonTests
{
    /// <summary>How the runtime stores message arguments and grain state (MessageBody.Json, StateJson.Options).</summary>
    private static readonly JsonSerializerOptions Stored = new(JsonSerializerDefaults.Web);

    /// <summary>How the grains write index rows (DomainJson.Options): camelCase, enums as strings.</summary>
    private static readonly JsonSerializerOptions IndexRows = new(JsonSerializerDefaults.Web)
    {
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.CamelCase) },
    };

    /// <summary>A finished event as the gateway sent it when the fields were strings.</summary>
    private const string StoredBefore = """
        {"assignmentId":"ti-1/0/web-1#2","sessionId":"s-1","type":"finished","at":"2025-01-02T03:04:05+00:00","percent":null,
         "message":null,"outcome":"timedOut","exitCode":137,"outputs":{"version":"1.2.3"},"logChunks":4,"uploadedSha256":null,
         "startedAt":"2025-01-02T03:00:00+00:00"}
        """;

    [Fact]
    public void Deserialize_EventStoredWithStrings_ReadsAsEnums()
    {
        var e = JsonSerializer.Deserialize<TargetAgentEvent>(StoredBefore, Stored)!;

        Assert.Equal((AgentEventType.Finished, AgentOutcome.TimedOut, 137), (e.Type, e.Outcome, e.ExitCode));
        Assert.Equal("1.2.3", e.Outputs!["version"]);
    }

    [Theory]
    [InlineData("started", AgentEventType.Started)]
    [InlineData("progress", AgentEventType.Progress)]
    [InlineData("finished", AgentEventType.Finished)]
    public void Deserialize_EveryTypeStringSentBefore_Reads(string type, AgentEventType expected)
    {
        var json = StoredBefore.Replace("\"finished\"", $"\"{type}\"", StringComparison.Ordinal).Replace("\"timedOut\"", "null", StringComparison.Ordinal);

        var e = JsonSerializer.Deserialize<TargetAgentEvent>(json, Stored)!;

        Assert.Equal(expected, e.Type);
        Assert.Null(e.Outcome);
    }

    [Theory]
    [InlineData("succeeded", AgentOutcome.Succeeded)]
    [InlineData("failed", AgentOutcome.Failed)]
    [InlineData("timedOut", AgentOutcome.TimedOut)]
    [InlineData("cancelled", AgentOutcome.Cancelled)]
    [InlineData("error", AgentOutcome.Error)]
    public void Deserialize_EveryOutcomeStringSentBefore_Reads(string outcome, AgentOutcome expected)
    {
        var json = StoredBefore.Replace("\"timedOut\"", $"\"{outcome}\"", StringComparison.Ordinal);

        Assert.Equal(expected, JsonSerializer.Deserialize<TargetAgentEvent>(json, Stored)!.Outcome);
    }

    [Theory]
    [InlineData(AgentEventType.Started, null, "\"type\":\"started\"", "\"outcome\":null")]
    [InlineData(AgentEventType.Progress, null, "\"type\":\"progress\"", "\"outcome\":null")]
    [InlineData(AgentEventType.Finished, AgentOutcome.Succeeded, "\"type\":\"finished\"", "\"outcome\":\"succeeded\"")]
    [InlineData(AgentEventType.Finished, AgentOutcome.Failed, "\"type\":\"finished\"", "\"outcome\":\"failed\"")]
    [InlineData(AgentEventType.Finished, AgentOutcome.TimedOut, "\"type\":\"finished\"", "\"outcome\":\"timedOut\"")]
    [InlineData(AgentEventType.Finished, AgentOutcome.Cancelled, "\"type\":\"finished\"", "\"outcome\":\"cancelled\"")]
    [InlineData(AgentEventType.Finished, AgentOutcome.Error, "\"type\":\"finished\"", "\"outcome\":\"error\"")]
    public void Serialize_Enums_TheStringsWrittenBefore(AgentEventType type, AgentOutcome? outcome, string typeJson, string outcomeJson)
    {
        var e = new TargetAgentEvent("a#1", "s", type, DateTimeOffset.UnixEpoch, null, null, outcome, null, null, null, null, null);

        var json = JsonSerializer.Serialize(e, Stored);

        Assert.Contains(typeJson, json, StringComparison.Ordinal);
        Assert.Contains(outcomeJson, json, StringComparison.Ordinal);
        Assert.Equal(e with { Outputs = null }, JsonSerializer.Deserialize<TargetAgentEvent>(json, Stored));
    }

    [Fact]
    public void Serialize_WithTheIndexRowOptions_SameStrings()
    {
        var e = new TargetAgentEvent("a#1", "s", AgentEventType.Finished, DateTimeOffset.UnixEpoch, null, null, AgentOutcome.TimedOut, 137, null, null, null, null);

        var json = JsonSerializer.Serialize(e, IndexRows);

        Assert.Contains("\"type\":\"finished\"", json, StringComparison.Ordinal);
        Assert.Contains("\"outcome\":\"timedOut\"", json, StringComparison.Ordinal);
        Assert.Equal(e, JsonSerializer.Deserialize<TargetAgentEvent>(json, IndexRows));
    }
}
