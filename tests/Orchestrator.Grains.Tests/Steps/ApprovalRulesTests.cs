using Orchestrator.GrainInterfaces;
using Orchestrator.Grains.Steps;
using Orchestrator.Plans.Model;

namespace Orchestrator.Grains.Tests.Steps;

public sealed class ApprovalRulesTests
{
    private static readonly DateTimeOffset At = new(2025, 1, 2, 3, 4, 5, TimeSpan.Zero);

    private static (List<ApprovalRecord> Approvals, ApprovalDecision Decision) After(params (string By, bool Approve, string? Reason)[] decisions)
    {
        var approvals = decisions.Select(d => new ApprovalRecord(d.By, d.Approve, d.Reason, At)).ToList();
        var last = decisions[^1];
        return (approvals, new ApprovalDecision("r1", 0, last.By, last.Approve, last.Reason));
    }

    [Theory]
    [InlineData("freeze week", "Rejected by bob: freeze week")]
    [InlineData(null, "Rejected by bob.")]
    public void Decide_Rejection_FailsAtOnceWithWhoAndWhy(string? reason, string expected)
    {
        var (approvals, decision) = After(("alice", true, null), ("bob", false, reason));

        Assert.Equal((ExecutionStatus.Failed, expected), ApprovalRules.Decide(approvals, decision, required: 1));
    }

    [Fact]
    public void Decide_FewerApproversThanRequired_Waits()
    {
        var (approvals, decision) = After(("alice", true, null));

        Assert.Null(ApprovalRules.Decide(approvals, decision, required: 2));
    }

    [Fact]
    public void Decide_SamePersonTwiceInAnotherCase_CountsOnce()
    {
        var (approvals, decision) = After(("alice", true, null), ("ALICE", true, null));

        Assert.Null(ApprovalRules.Decide(approvals, decision, required: 2));
    }

    [Fact]
    public void Decide_EnoughDistinctApprovers_SucceedsNamingThemInOrder()
    {
        var (approvals, decision) = After(("alice", true, null), ("Alice", true, null), ("carol", true, "ok"));

        Assert.Equal((ExecutionStatus.Succeeded, "Approved by alice, carol."), ApprovalRules.Decide(approvals, decision, required: 2));
    }

    [Theory]
    [InlineData(ApprovalTimeoutAction.Approve, ExecutionStatus.Succeeded, "Approved: the approval timed out and the plan approves on timeout.")]
    [InlineData(ApprovalTimeoutAction.Reject, ExecutionStatus.Failed, "Rejected: the approval timed out.")]
    [InlineData(null, ExecutionStatus.Failed, "Rejected: the approval timed out.")]
    public void TimedOut_ThePlansOnTimeout_Decides(ApprovalTimeoutAction? onTimeout, ExecutionStatus final, string reason) =>
        Assert.Equal((final, reason), ApprovalRules.TimedOut(onTimeout));

    [Theory]
    [InlineData("carol", null, true)] // a listed principal, whatever its roles
    [InlineData("CAROL", null, true)] // names compare ignoring case
    [InlineData("dave", new[] { "viewer", "approver" }, false)]
    [InlineData("dave", new[] { "viewer", "operator", "approver", "admin" }, true)] // holds the listed role
    [InlineData("dave", null, false)] // a caller of before roles: principals only
    public void MayDecide_PrincipalOrRole(string by, string[]? roles, bool may) =>
        Assert.Equal(may, ApprovalRules.MayDecide(["carol", "role:admin"], by, roles));

    [Fact]
    public void MayDecide_NoApproversListed_Anyone() => Assert.True(ApprovalRules.MayDecide([], "anyone", null));
}
