using Orchestrator.Plans.Model;
using Orchestrator.Plans.Parsing;

namespace Orchestrator.Plans.Tests.Parsing;

public sealed class PlanParserYamlTests
{
    private static PlanDefinition ParseOk(string yaml, PlanParseOptions? options = null)
    {
        var result = PlanParser.ParseYaml(yaml, options);
        Assert.True(result.Ok, string.Join("\n", result.Errors));
        return result.Plan;
    }

    [Fact]
    public void ParseYaml_FullPlan_ReadsEveryField()
    {
        var plan = ParseOk("""
            name: deploy
            description: Ship it.
            parameters:
              - name: version
                required: true
                description: the release
              - name: servers
                type: host-list
                default: web-1, web-2
              - {name: token, type: SECRET}
            steps:
              - name: build
                kind: script
                targets:
                  hosts: [build-1]
                  selector: role=build
                  parameter: servers
                script:
                  interpreter: bash
                  source: |
                    echo ${{ params.version }}
                  args: [a, 2]
                  env:
                    MODE: fast
                    LEVEL: 3
                  workingDirectory: /srv
                execution:
                  parallelism: 4
                  rolling:
                    expression: 1 10% *2
                    mode: pause-on-failure
                  failureBudget: "10%"
                  successPolicy: 3
                  targetTimeout: 1h30m
                  deadline: PT2H
                  retry:
                    limit: 2
                    initialBackoff: 500ms
                    maxBackoff: 1m
                    factor: 3
                  exitCodes:
                    - codes: [3, 4]
                      action: fail_step
                    - codes: [1]
                      action: ignore
                continueOnError: true
              - name: copy
                kind: fileDistribution
                targets:
                  fromStep: {step: build, outcome: failed}
                files:
                  sources:
                    - {name: a.bin, sha256: "0000000000000000000000000000000000000000000000000000000000000000"}
                    - {fromHost: build-1, path: /tmp/b.bin}
                  targetDirectory: /opt/app
                  mode: 0755
              - name: ok
                approval:
                  approvers: [alice, bob]
                  required: 2
                  timeout: 4h
                  onTimeout: approve
                  message: go?
            """);

        Assert.Equal("deploy", plan.Name);
        Assert.Equal("Ship it.", plan.Description);
        Assert.Equal(ParameterType.HostList, plan.Parameters[1].Type);
        Assert.Equal("web-1, web-2", plan.Parameters[1].Default);
        Assert.Equal(ParameterType.Secret, plan.Parameters[2].Type);
        Assert.True(plan.Parameters[0].Required);

        var build = plan.Steps[0];
        Assert.Equal(StepKind.Script, build.Kind);
        Assert.Equal(["build-1"], build.Targets!.Hosts);
        Assert.Equal("role=build", build.Targets.Selector);
        Assert.Equal("servers", build.Targets.Parameter);
        Assert.Equal("bash", build.Script!.Interpreter);
        Assert.Equal("echo ${{ params.version }}\n", build.Script.Source);
        Assert.Equal(["a", "2"], build.Script.Args);
        Assert.Equal("3", build.Script.Env["LEVEL"]);
        Assert.Equal("/srv", build.Script.WorkingDirectory);
        var execution = build.Execution;
        Assert.Equal(4, execution.Parallelism);
        Assert.Equal(new RollingSpec { Expression = "1 10% *2", Mode = RollingMode.PauseOnFailure }, execution.Rolling);
        Assert.Equal(new Quantity(10, true), execution.FailureBudget);
        Assert.Equal(new Quantity(3, false), execution.SuccessPolicy);
        Assert.Equal(TimeSpan.FromMinutes(90), execution.TargetTimeout);
        Assert.Equal(TimeSpan.FromHours(2), execution.Deadline);
        Assert.Equal(2, execution.Retry.Limit);
        Assert.Equal(TimeSpan.FromMilliseconds(500), execution.Retry.InitialBackoff);
        Assert.Equal(TimeSpan.FromMinutes(1), execution.Retry.MaxBackoff);
        Assert.Equal(3, execution.Retry.Factor);
        Assert.Equal([3, 4], execution.ExitCodes[0].Codes);
        Assert.Equal(ExitCodeAction.FailStep, execution.ExitCodes[0].Action);
        Assert.Equal(ExitCodeAction.Ignore, execution.ExitCodes[1].Action);
        Assert.True(build.ContinueOnError);

        var copy = plan.Steps[1];
        Assert.Equal(StepKind.FileDistribution, copy.Kind);
        Assert.Equal(new StepHostsReference { Step = "build", Outcome = StepHostsOutcome.Failed }, copy.Targets!.FromStep);
        Assert.Equal("a.bin", copy.Files!.Sources[0].Name);
        Assert.Equal("/tmp/b.bin", copy.Files.Sources[1].Path);
        Assert.Equal("0755", copy.Files.Mode);

        var ok = plan.Steps[2];
        Assert.Equal(StepKind.Approval, ok.Kind);
        Assert.Equal(2, ok.Approval!.Required);
        Assert.Equal(TimeSpan.FromHours(4), ok.Approval.Timeout);
        Assert.Equal(ApprovalTimeoutAction.Approve, ok.Approval.OnTimeout);
        Assert.Null(ok.Targets);
    }

    [Fact]
    public void ParseYaml_FieldsLeftOut_TakeModelDefaults()
    {
        var step = ParseOk("name: p\nsteps:\n  - name: s\n    targets: {hosts: [h]}\n    script: {source: echo}\n").Steps[0];

        Assert.Equal(new ScriptSpec { Source = "echo", Args = step.Script!.Args, Env = step.Script.Env }, step.Script);
        Assert.Empty(step.Script.Args);
        Assert.Empty(step.Script.Env);
        Assert.Equal(new ExecutionSpec { Retry = step.Execution.Retry, ExitCodes = step.Execution.ExitCodes }, step.Execution);
        Assert.Equal(new RetryPolicy(), step.Execution.Retry);
        Assert.False(step.ContinueOnError);
    }

    [Theory]
    [InlineData("script: {source: echo}", StepKind.Script)]
    [InlineData("files: {sources: [{fromHost: h, path: /a}], targetDirectory: /b}", StepKind.FileDistribution)]
    public void ParseYaml_KindLeftOut_InferredFromTheOneSpec(string spec, StepKind expected)
    {
        var plan = ParseOk($"name: p\nsteps:\n  - name: s\n    targets: {{hosts: [h]}}\n    {spec}\n");

        Assert.Equal(expected, plan.Steps[0].Kind);
    }

    [Fact]
    public void ParseYaml_ScriptAsString_IsTheSource()
    {
        var plan = ParseOk("name: p\nsteps:\n  - name: s\n    targets: {hosts: [h]}\n    script: echo hi\n");

        Assert.Equal(new ScriptSpec { Source = "echo hi", Args = plan.Steps[0].Script!.Args, Env = plan.Steps[0].Script!.Env }, plan.Steps[0].Script);
    }

    [Fact]
    public void ParseYaml_ShortForms_RollingAndFromStep()
    {
        var plan = ParseOk("""
            name: p
            steps:
              - name: a
                targets: {hosts: [h]}
                script: echo
              - name: b
                targets: {fromStep: previous}
                script: echo
                execution: {rolling: "2 +1"}
            """);

        Assert.Equal(new StepHostsReference { Step = "previous" }, plan.Steps[1].Targets!.FromStep);
        Assert.Equal(new RollingSpec { Expression = "2 +1" }, plan.Steps[1].Execution.Rolling);
    }

    [Theory]
    [InlineData("10s", 10_000)]
    [InlineData("5m", 300_000)]
    [InlineData("1h30m", 5_400_000)]
    [InlineData("500ms", 500)]
    [InlineData("1.5s", 1_500)]
    [InlineData("PT10S", 10_000)]
    [InlineData("pt1m", 60_000)]
    [InlineData("P1D", 86_400_000)]
    public void ParseYaml_Duration_BothNotations(string duration, int milliseconds)
    {
        var plan = ParseOk($"name: p\nsteps:\n  - name: s\n    targets: {{hosts: [h]}}\n    script: echo\n    execution: {{targetTimeout: {duration}}}\n");

        Assert.Equal(TimeSpan.FromMilliseconds(milliseconds), plan.Steps[0].Execution.TargetTimeout);
    }

    [Theory]
    [InlineData("pauseOnFailure", RollingMode.PauseOnFailure)]
    [InlineData("pause-on-failure", RollingMode.PauseOnFailure)]
    [InlineData("PAUSE_ON_FAILURE", RollingMode.PauseOnFailure)]
    [InlineData("continue", RollingMode.Continue)]
    [InlineData("Confirm", RollingMode.Confirm)]
    public void ParseYaml_EnumValue_CaseInsensitiveKebabOrCamel(string text, RollingMode expected)
    {
        var plan = ParseOk($"name: p\nsteps:\n  - name: s\n    targets: {{hosts: [h]}}\n    script: echo\n    execution: {{rolling: {{expression: '1', mode: {text}}}}}\n");

        Assert.Equal(expected, plan.Steps[0].Execution.Rolling!.Mode);
    }

    [Fact]
    public void ParseYaml_NullFields_TreatedAsLeftOut()
    {
        var plan = ParseOk("name: p\ndescription:\nparameters: ~\nsteps:\n  - name: s\n    targets: {hosts: [h]}\n    script: echo\n    execution: null\n");

        Assert.Null(plan.Description);
        Assert.Empty(plan.Parameters);
    }

    [Fact]
    public void ParseYaml_ScriptFile_InlinedRelativeToBaseDirectory()
    {
        var directory = Directory.CreateTempSubdirectory("plans-");
        try
        {
            Directory.CreateDirectory(Path.Combine(directory.FullName, "scripts"));
            File.WriteAllText(Path.Combine(directory.FullName, "scripts", "go.sh"), "echo from file\n");

            var plan = ParseOk(
                "name: p\nsteps:\n  - name: s\n    targets: {hosts: [h]}\n    script: {file: scripts/go.sh}\n",
                new PlanParseOptions { BaseDirectory = directory.FullName });

            Assert.Equal("echo from file\n", plan.Steps[0].Script!.Source);
        }
        finally
        {
            directory.Delete(recursive: true);
        }
    }
}
