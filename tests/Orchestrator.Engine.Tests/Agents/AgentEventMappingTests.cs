using Orchestrator.Api.Agents;
using Contract = Orchestrator.GrainInterfaces;
using Protocol = Orchestrator.Agent.Protocol;

namespace Orchestrator.Engine.Tests.Agents;

/// <summary>The gateway's one mapping from the agent protocol's events to the host target's commands.</summary>
public sealed class AgentEventMappingTests
{
    private static readonly DateTimeOffset At = new(2025, 1, 2, 3, 4, 5, TimeSpan.Zero);

    public static TheoryData<Protocol.AgentEventType> Types => [.. Enum.GetValues<Protocol.AgentEventType>()];

    public static TheoryData<Protocol.AgentOutcome> Outcomes => [.. Enum.GetValues<Protocol.AgentOutcome>()];

    [Theory]
    [MemberData(nameof(Types))]
    public void Map_EveryProtocolType_TheGrainsTypeOfTheSameName(Protocol.AgentEventType type) =>
        Assert.Equal(type.ToString(), AgentEventMapping.Map(type).ToString());

    [Theory]
    [MemberData(nameof(Outcomes))]
    public void Map_EveryProtocolOutcome_TheGrainsOutcomeOfTheSameName(Protocol.AgentOutcome outcome) =>
        Assert.Equal(outcome.ToString(), AgentEventMapping.Map(outcome).ToString());

    [Fact]
    public void ToTargetEvent_FinishedEvent_CarriesTheOutcomeAndTheRawExitCode()
    {
        var e = new Protocol.AgentEvent
        {
            AssignmentId = "ti-1/0/web-1#2",
            Type = Protocol.AgentEventType.Finished,
            At = At,
            Message = "m",
            Outcome = Protocol.AgentOutcome.Failed,
            ExitCode = 3,
            Outputs = new Dictionary<string, string> { ["v"] = "1" },
            LogChunks = 4,
            UploadedSha256 = new string('a', 64),
            StartedAt = At.AddMinutes(-1),
        };

        var command = AgentEventMapping.ToTargetEvent(e, "s-1");

        Assert.Equal(
            new Contract.TargetAgentEvent("ti-1/0/web-1#2", "s-1", Contract.AgentEventType.Finished, At, null, "m", Contract.AgentOutcome.Failed, 3, e.Outputs, 4, e.UploadedSha256, At.AddMinutes(-1)),
            command);
    }

    [Fact]
    public void ToTargetEvent_ProgressEvent_NoOutcome()
    {
        var command = AgentEventMapping.ToTargetEvent(new Protocol.AgentEvent { AssignmentId = "a#1", Type = Protocol.AgentEventType.Progress, At = At, Percent = 40 }, "s-1");

        Assert.Equal((Contract.AgentEventType.Progress, 40, (Contract.AgentOutcome?)null), (command.Type, command.Percent, command.Outcome));
    }

    [Theory]
    [InlineData(Protocol.AgentEventType.Started, "ev:a#1:started")]
    [InlineData(Protocol.AgentEventType.Finished, "ev:a#1:finished")]
    public void DedupeKey_StartedOrFinished_OnePerAssignmentAsBefore(Protocol.AgentEventType type, string expected) =>
        Assert.Equal(expected, AgentEventMapping.DedupeKey(new Protocol.AgentEvent { AssignmentId = "a#1", Type = type, At = At, Percent = 5 }));

    [Fact]
    public void DedupeKey_Progress_OnePerReportAsBefore() =>
        Assert.Equal($"ev:a#1:p:{At.UtcTicks}:40", AgentEventMapping.DedupeKey(new Protocol.AgentEvent { AssignmentId = "a#1", Type = Protocol.AgentEventType.Progress, At = At, Percent = 40 }));
}
