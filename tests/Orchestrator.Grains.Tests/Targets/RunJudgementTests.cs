using Orchestrator.GrainInterfaces;
using Orchestrator.Grains.Targets;
using Orchestrator.Plans.Model;

namespace Orchestrator.Grains.Tests.Targets;

public sealed class RunJudgementTests
{
    private static readonly IReadOnlyList<ExitCodeRule> NoRules = [];

    private static ExitCodeRule Rule(ExitCodeAction action, params int[] codes) => new() { Codes = codes, Action = action };

    private static ExitCodeRule NotIn(ExitCodeAction action, params int[] codes) => new() { Codes = codes, Operator = ExitCodeOperator.NotIn, Action = action };

    [Fact]
    public void Finished_ExitCodeZeroNoRules_Succeeded() =>
        Assert.Equal(new RunVerdict(TargetStatus.Succeeded), RunJudgement.Finished(AgentOutcome.Succeeded, 0, NoRules));

    [Fact]
    public void Finished_NonZeroExitCodeNoRuleMatches_FailedAndRetryable() =>
        Assert.Equal(new RunVerdict(TargetStatus.Failed, FailStep: false, MayRetry: true), RunJudgement.Finished(AgentOutcome.Failed, 1, [Rule(ExitCodeAction.FailStep, 3)]));

    [Theory]
    [InlineData(ExitCodeAction.Ignore, TargetStatus.Succeeded, false, true)]
    [InlineData(ExitCodeAction.FailStep, TargetStatus.Failed, true, false)]
    [InlineData(ExitCodeAction.FailTarget, TargetStatus.Failed, false, false)]
    [InlineData(ExitCodeAction.Count, TargetStatus.Failed, false, true)]
    public void Finished_RuleMatchesTheCode_ItsActionDecides(ExitCodeAction action, TargetStatus status, bool failStep, bool mayRetry) =>
        Assert.Equal(new RunVerdict(status, failStep, mayRetry), RunJudgement.Finished(AgentOutcome.Failed, 3, [Rule(action, 3)]));

    [Fact]
    public void Finished_SeveralRulesMatch_TheFirstWins()
    {
        var rules = new[] { Rule(ExitCodeAction.Ignore, 4), Rule(ExitCodeAction.FailStep, 3, 4), Rule(ExitCodeAction.Ignore, 3) };

        Assert.Equal(new RunVerdict(TargetStatus.Succeeded), RunJudgement.Finished(AgentOutcome.Failed, 4, rules));
        Assert.Equal(new RunVerdict(TargetStatus.Failed, FailStep: true, MayRetry: false), RunJudgement.Finished(AgentOutcome.Failed, 3, rules));
    }

    [Fact]
    public void Finished_NotInRule_MatchesEveryFailingCodeNotListed()
    {
        var rules = new[] { NotIn(ExitCodeAction.FailStep, 1) };

        Assert.True(RunJudgement.Finished(AgentOutcome.Failed, 2, rules).FailStep);
        Assert.Equal(new RunVerdict(TargetStatus.Failed), RunJudgement.Finished(AgentOutcome.Failed, 1, rules));
    }

    [Theory]
    [InlineData(ExitCodeAction.FailStep)]
    [InlineData(ExitCodeAction.FailTarget)]
    [InlineData(ExitCodeAction.Count)]
    public void Finished_ExitCodeZero_NeverReachesTheRules(ExitCodeAction action)
    {
        // As Kubernetes' podFailurePolicy: success never reaches the rules, so a notIn rule does not fail a success.
        Assert.Equal(new RunVerdict(TargetStatus.Succeeded), RunJudgement.Finished(AgentOutcome.Succeeded, 0, [Rule(action, 0)]));
        Assert.Equal(new RunVerdict(TargetStatus.Succeeded), RunJudgement.Finished(AgentOutcome.Succeeded, 0, [NotIn(action, 1)]));
    }

    [Fact]
    public void Finished_AgentSaysSucceededWithANonZeroCode_TheCodeDecides()
    {
        Assert.Equal(new RunVerdict(TargetStatus.Failed), RunJudgement.Finished(AgentOutcome.Succeeded, 1, NoRules));
        Assert.True(RunJudgement.Finished(AgentOutcome.Succeeded, 3, [Rule(ExitCodeAction.FailStep, 3)]).FailStep);
    }

    [Fact]
    public void Finished_AgentSaysFailedWithCodeZero_TheCodeDecides() =>
        Assert.Equal(new RunVerdict(TargetStatus.Succeeded), RunJudgement.Finished(AgentOutcome.Failed, 0, [Rule(ExitCodeAction.FailStep, 1)]));

    [Theory]
    [InlineData(AgentOutcome.Succeeded, TargetStatus.Succeeded)]
    [InlineData(AgentOutcome.Failed, TargetStatus.Failed)]
    [InlineData(AgentOutcome.TimedOut, TargetStatus.TimedOut)]
    [InlineData(AgentOutcome.Cancelled, TargetStatus.Stopped)]
    [InlineData(AgentOutcome.Error, TargetStatus.Failed)]
    [InlineData(null, TargetStatus.Failed)]
    public void Finished_NoExitCode_TheAgentsOutcomeStands(AgentOutcome? outcome, TargetStatus expected) =>
        Assert.Equal(new RunVerdict(expected), RunJudgement.Finished(outcome, null, [NotIn(ExitCodeAction.FailStep, 1)]));

    [Theory]
    [InlineData(AgentOutcome.TimedOut, TargetStatus.TimedOut)]
    [InlineData(AgentOutcome.Cancelled, TargetStatus.Stopped)]
    [InlineData(AgentOutcome.Error, TargetStatus.Failed)]
    public void Finished_KilledWithAnExitCode_TheCodeIsNotJudged(AgentOutcome outcome, TargetStatus expected)
    {
        // A killed process's code is the signal's (137), not the script's answer: no rule applies to it.
        var rules = new[] { Rule(ExitCodeAction.Ignore, 137), Rule(ExitCodeAction.FailStep, 0) };

        Assert.Equal(new RunVerdict(expected), RunJudgement.Finished(outcome, 137, rules));
        Assert.Equal(new RunVerdict(expected), RunJudgement.Finished(outcome, 0, rules));
    }

    [Theory]
    [InlineData(AgentOutcome.Succeeded, 0, TargetStatus.Succeeded)]
    [InlineData(AgentOutcome.Succeeded, null, TargetStatus.Succeeded)]
    [InlineData(AgentOutcome.Failed, 1, TargetStatus.Stopped)]
    [InlineData(AgentOutcome.Failed, 3, TargetStatus.Stopped)]
    [InlineData(AgentOutcome.Failed, 4, TargetStatus.Succeeded)]
    [InlineData(AgentOutcome.Cancelled, 137, TargetStatus.Stopped)]
    [InlineData(AgentOutcome.TimedOut, null, TargetStatus.Stopped)]
    [InlineData(AgentOutcome.Error, null, TargetStatus.Stopped)]
    public void WhileStopping_SucceededIfItRanToASuccess_ElseStoppedNeverFailingTheStep(AgentOutcome outcome, int? exitCode, TargetStatus expected)
    {
        var rules = new[] { Rule(ExitCodeAction.FailStep, 3), Rule(ExitCodeAction.Ignore, 4) };

        Assert.Equal(new RunVerdict(expected), RunJudgement.WhileStopping(outcome, exitCode, rules));
    }
}
