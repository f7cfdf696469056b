using Orchestrator.Agent.Protocol;
using Orchestrator.Agent.Tests.Infrastructure;

namespace Orchestrator.Agent.Tests.Reporting;

public sealed class ApiFaultTests
{
    [Fact]
    public async Task Agent_Answered503_RetriesUntilReported()
    {
        await using var harness = await AgentHarness.StartAsync();
        await Eventually.True(() => harness.Server.Polls().Count > 0, "the first poll");

        harness.Server.FailNextRequests(8);
        var finished = await harness.EnqueueAndWaitAsync(harness.Script("echo through the errors"));

        Assert.Equal(AgentOutcome.Succeeded, finished.Outcome);
        Assert.Equal(8, harness.Server.Refused);
    }

    [Fact]
    public async Task Agent_TokenRefused_RetriesSlowlyAndWorksOnceAccepted()
    {
        await using var harness = await AgentHarness.StartServerAsync();
        harness.Server.AcceptedToken = "rotated-token";
        harness.StartAgent(o => o.AuthRetryDelay = TimeSpan.FromMilliseconds(300));
        await Eventually.True(() => harness.Server.Refused >= 2, "refused registrations");
        Assert.Empty(harness.Server.Registrations());

        harness.Server.AcceptedToken = FakeOrchestrator.Token;
        var finished = await harness.EnqueueAndWaitAsync(harness.Script("echo in"));

        Assert.Equal(AgentOutcome.Succeeded, finished.Outcome);
    }

    [Fact]
    public async Task Agent_SessionForgottenByServer_RegistersAgainWithSameSessionId()
    {
        await using var harness = await AgentHarness.StartServerAsync();
        harness.Server.RequireKnownSession = true;
        harness.StartAgent();
        await Eventually.True(() => harness.Server.Registrations().Count == 1, "the first registration");

        harness.Server.ForgetSessions();
        var finished = await harness.EnqueueAndWaitAsync(harness.Script("echo again"));

        Assert.Equal(AgentOutcome.Succeeded, finished.Outcome);
        var registrations = harness.Server.Registrations();
        Assert.True(registrations.Count >= 2, $"expected a re-registration, saw {registrations.Count}");
        Assert.All(registrations, r => Assert.Equal(harness.Runner!.SessionId, r.SessionId));
    }

    [Fact]
    public async Task Reports_OneAssignmentRejectedByServer_OthersStillDelivered()
    {
        await using var harness = await AgentHarness.StartServerAsync();
        harness.Server.RejectAssignment = id => id.StartsWith("bad-", StringComparison.Ordinal);
        harness.StartAgent();
        var bad = harness.Script("echo bad", id: harness.NewId("bad"));
        var good = harness.Script("echo good");

        harness.Server.Enqueue(bad, good);
        var finished = await harness.Server.WaitForFinishedAsync(good.Id);
        var later = await harness.EnqueueAndWaitAsync(harness.Script("echo later"));

        Assert.Equal(AgentOutcome.Succeeded, finished.Outcome);
        Assert.Equal(AgentOutcome.Succeeded, later.Outcome);
        Assert.Equal("good\n", harness.Server.Log(good.Id));
        Assert.Empty(harness.Server.Events(bad.Id));
        // Once its (dropped) Finished was "acknowledged", the agent lets go of the rejected one too.
        await Eventually.True(() => !harness.Server.Polls()[^1].Running.Contains(bad.Id), "the rejected assignment to be let go");
    }
}
