using Orchestrator.Plans.Model;
using Orchestrator.Plans.Parsing;

namespace Orchestrator.Plans.Tests.Parsing;

/// <summary>Kubernetes Job field names on a step's execution and on the plan, read onto our own fields (docs/kubernetes-jobs.md).</summary>
public sealed class KubernetesFieldsTests
{
    private const string Head = "name: p\nsteps:\n  - name: s\n    targets: {hosts: [h]}\n    script: exit 3\n";

    private static ExecutionSpec Execution(string executionYaml)
    {
        var result = PlanParser.ParseYaml(Head + "    execution:\n" + executionYaml);
        Assert.True(result.Ok, string.Join("\n", result.Errors));
        return result.Plan!.Steps[0].Execution;
    }

    private static PlanError SingleError(string yaml)
    {
        var result = PlanParser.ParseYaml(yaml);
        Assert.False(result.Ok);
        return Assert.Single(result.Errors);
    }

    private static void AssertError(PlanError error, string path, int line, int column, params string[] messageParts)
    {
        Assert.Equal(path, error.Path);
        Assert.Equal((line, column), (error.Line, error.Column));
        foreach (var part in messageParts)
        {
            Assert.Contains(part, error.Message, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void ParseYaml_JobFields_MappedOntoOurs()
    {
        var execution = Execution("""
                  parallelism: 2
                  completions: 3
                  backoffLimit: 4
                  activeDeadlineSeconds: 90
            """ + "\n");

        Assert.Equal(2, execution.Parallelism);
        Assert.Equal(new Quantity(3, false), execution.SuccessPolicy);
        Assert.Equal(4, execution.Retry.Limit);
        Assert.Equal(TimeSpan.FromSeconds(10), execution.Retry.InitialBackoff);
        Assert.Equal(TimeSpan.FromSeconds(90), execution.Deadline);
    }

    [Fact]
    public void ParseYaml_BackoffLimitWithRetryBackoffs_BothKept()
    {
        var execution = Execution("      backoffLimit: 2\n      retry: {initialBackoff: 1s, factor: 1}\n");

        Assert.Equal(2, execution.Retry.Limit);
        Assert.Equal(TimeSpan.FromSeconds(1), execution.Retry.InitialBackoff);
        Assert.Equal(1, execution.Retry.Factor);
    }

    [Fact]
    public void ParseYaml_PodFailurePolicy_ExitCodeRulesInOrder()
    {
        var execution = Execution("""
                  podFailurePolicy:
                    rules:
                      - action: FailJob
                        onExitCodes: {operator: In, values: [42]}
                      - action: Ignore
                        onExitCodes: {operator: In, values: [3, 4]}
                      - action: FailIndex
                        onExitCodes: {operator: NotIn, values: [1, 2]}
                      - action: Count
                        onExitCodes: {operator: In, values: [1]}
            """ + "\n");

        Assert.Collection(execution.ExitCodes,
            r => Assert.Equal((ExitCodeAction.FailStep, ExitCodeOperator.In, "42"), (r.Action, r.Operator, string.Join(",", r.Codes))),
            r => Assert.Equal((ExitCodeAction.Ignore, ExitCodeOperator.In, "3,4"), (r.Action, r.Operator, string.Join(",", r.Codes))),
            r => Assert.Equal((ExitCodeAction.FailTarget, ExitCodeOperator.NotIn, "1,2"), (r.Action, r.Operator, string.Join(",", r.Codes))),
            r => Assert.Equal((ExitCodeAction.Count, ExitCodeOperator.In, "1"), (r.Action, r.Operator, string.Join(",", r.Codes))));
    }

    [Fact]
    public void ParseJson_JobFieldsAndTtlSeconds_SameAsYaml()
    {
        var result = PlanParser.ParseJson("""
            {
              "name": "p",
              "ttlSecondsAfterFinished": 3600,
              "steps": [{
                "name": "s", "targets": {"hosts": ["h"]}, "script": "exit 1",
                "execution": {
                  "completions": 1, "backoffLimit": 0, "activeDeadlineSeconds": 5,
                  "podFailurePolicy": {"rules": [{"action": "FailIndex", "onExitCodes": {"operator": "In", "values": [1]}}]}
                }
              }]
            }
            """);

        Assert.True(result.Ok, string.Join("\n", result.Errors));
        var plan = result.Plan!;
        Assert.Equal(TimeSpan.FromHours(1), plan.TtlAfterFinished);
        var execution = plan.Steps[0].Execution;
        Assert.Equal(new Quantity(1, false), execution.SuccessPolicy);
        Assert.Equal(TimeSpan.FromSeconds(5), execution.Deadline);
        Assert.Equal(ExitCodeAction.FailTarget, Assert.Single(execution.ExitCodes).Action);
    }

    [Theory]
    [InlineData("ttlAfterFinished: 1h30m", 90 * 60)]
    [InlineData("ttlSecondsAfterFinished: 0", 0)]
    [InlineData("ttlSecondsAfterFinished: 86400", 86400)]
    public void ParseYaml_Ttl_EitherForm(string field, int seconds)
    {
        var result = PlanParser.ParseYaml(field + "\n" + Head);

        Assert.True(result.Ok, string.Join("\n", result.Errors));
        Assert.Equal(TimeSpan.FromSeconds(seconds), result.Plan!.TtlAfterFinished);
    }

    [Fact]
    public void ParseYaml_BothTtls_ErrorNamingBoth() =>
        AssertError(SingleError("ttlAfterFinished: 1h\nttlSecondsAfterFinished: 60\n" + Head),
            "ttlSecondsAfterFinished", 2, 26, "'ttlSecondsAfterFinished'", "'ttlAfterFinished'", "not both");

    [Fact]
    public void ParseYaml_NegativeTtlSeconds_Error() =>
        AssertError(SingleError("ttlSecondsAfterFinished: -1\n" + Head), "ttlSecondsAfterFinished", 1, 26, "0 or more");

    [Theory]
    [InlineData(315_360_001)]
    [InlineData(int.MaxValue)]
    public void ParseYaml_TtlSecondsOverTenYears_ErrorNamingIt(int seconds) =>
        AssertError(SingleError($"ttlSecondsAfterFinished: {seconds}\n" + Head), "ttlSecondsAfterFinished", 1, 26, "at most 315360000 (3650d)");

    [Theory]
    [InlineData("completions: 2\n      successPolicy: 2", "completions", "'successPolicy'")]
    [InlineData("successPolicy: 2\n      completions: 2", "completions", "'successPolicy'")]
    [InlineData("backoffLimit: 2\n      retry: {limit: 1}", "backoffLimit", "'retry.limit'")]
    [InlineData("activeDeadlineSeconds: 60\n      deadline: 1m", "activeDeadlineSeconds", "'deadline'")]
    [InlineData("exitCodes: [{codes: [1]}]\n      podFailurePolicy: {rules: []}", "podFailurePolicy", "'exitCodes'")]
    public void ParseYaml_KubernetesAndOurName_ErrorNamingBoth(string fields, string kubernetes, string ours)
    {
        var error = SingleError(Head + "    execution:\n      " + fields + "\n");

        Assert.Equal($"steps[0].execution.{kubernetes}", error.Path);
        Assert.Contains($"'{kubernetes}'", error.Message, StringComparison.Ordinal);
        Assert.Contains(ours, error.Message, StringComparison.Ordinal);
        Assert.NotNull(error.Line);
    }

    [Fact]
    public void ParseYaml_ConflictPosition_AtTheKubernetesValue() =>
        AssertError(SingleError(Head + "    execution:\n      successPolicy: 1\n      completions: 2\n"),
            "steps[0].execution.completions", 8, 20, "set the same thing");

    [Theory]
    [InlineData("completions: 0", "steps[0].execution.completions", "at least 1")]
    [InlineData("backoffLimit: -1", "steps[0].execution.backoffLimit", "0 to 100")]
    [InlineData("backoffLimit: 101", "steps[0].execution.backoffLimit", "0 to 100")]
    [InlineData("activeDeadlineSeconds: 0", "steps[0].execution.activeDeadlineSeconds", "1 to 2592000")]
    [InlineData("activeDeadlineSeconds: 2592001", "steps[0].execution.activeDeadlineSeconds", "1 to 2592000")]
    [InlineData("activeDeadlineSeconds: 2147483647", "steps[0].execution.activeDeadlineSeconds", "1 to 2592000")]
    [InlineData("completions: 50%", "steps[0].execution.completions", "whole number")]
    public void ParseYaml_KubernetesValueOutOfRange_ErrorNamingIt(string field, string path, string messagePart)
    {
        var error = SingleError(Head + "    execution: {" + field + "}\n");

        Assert.Equal(path, error.Path);
        Assert.Contains(messagePart, error.Message, StringComparison.Ordinal);
        Assert.Equal(6, error.Line);
    }

    [Theory]
    [InlineData("{action: FailJob, onExitCodes: {operator: In, values: [0]}}", "rules[0].onExitCodes.values[0]", "0 cannot be used with the In operator")]
    [InlineData("{action: FailJob, onExitCodes: {operator: In, values: [300]}}", "rules[0].onExitCodes.values[0]", "0 to 255")]
    [InlineData("{action: FailJob, onExitCodes: {operator: In, values: []}}", "rules[0].onExitCodes.values", "at least one value")]
    [InlineData("{action: FailJob, onExitCodes: {values: [1]}}", "rules[0].onExitCodes.operator", "In or NotIn")]
    [InlineData("{action: FailJob, onExitCodes: {operator: Between, values: [1]}}", "rules[0].onExitCodes.operator", "'Between'")]
    [InlineData("{action: Restart, onExitCodes: {operator: In, values: [1]}}", "rules[0].action", "'Restart'")]
    [InlineData("{onExitCodes: {operator: In, values: [1]}}", "rules[0].action", "FailJob, Ignore, Count, FailIndex")]
    [InlineData("{action: Ignore}", "rules[0].onExitCodes", "needs 'onExitCodes'")]
    [InlineData("{action: Ignore, onPodConditions: [{type: DisruptionTarget}], onExitCodes: {operator: In, values: [1]}}", "rules[0].onPodConditions", "not a pod")]
    [InlineData("{action: Ignore, onExitCodes: {containerName: main, operator: In, values: [1]}}", "rules[0].onExitCodes.containerName", "no container")]
    public void ParseYaml_BadPodFailureRule_ErrorWithPath(string rule, string path, string messagePart)
    {
        var error = SingleError(Head + "    execution:\n      podFailurePolicy:\n        rules:\n          - " + rule + "\n");

        Assert.Equal("steps[0].execution.podFailurePolicy." + path, error.Path);
        Assert.Contains(messagePart, error.Message, StringComparison.Ordinal);
        Assert.Equal(9, error.Line);
    }

    [Fact]
    public void ParseYaml_PodFailurePolicyWithoutRules_Error() =>
        AssertError(SingleError(Head + "    execution:\n      podFailurePolicy: {}\n"),
            "steps[0].execution.podFailurePolicy.rules", 7, 25, "needs 'rules'");

    [Fact]
    public void ParseYaml_OurExitCodesWithNotInAndFailTarget_Read()
    {
        var rule = Assert.Single(Execution("      exitCodes: [{codes: [0, 1], operator: notIn, action: failTarget}]\n").ExitCodes);

        Assert.Equal(ExitCodeOperator.NotIn, rule.Operator);
        Assert.Equal(ExitCodeAction.FailTarget, rule.Action);
        Assert.False(rule.Matches(1));
        Assert.True(rule.Matches(7));
    }
}
