using Orchestrator.Plans.Model;
using Orchestrator.Plans.Parsing;
using Orchestrator.Plans.Tests.Support;
using Orchestrator.Plans.Validation;

namespace Orchestrator.Plans.Tests.Validation;

public sealed class PlanValidatorTests
{
    private static PlanError SingleError(PlanDefinition plan) => Assert.Single(PlanValidator.Validate(plan));

    private static void AssertSingleError(PlanDefinition plan, string path, string messagePart)
    {
        var error = SingleError(plan);
        Assert.Equal(path, error.Path);
        Assert.Contains(messagePart, error.Message, StringComparison.Ordinal);
        Assert.Null(error.Line);
    }

    private static PlanDefinition WithFirstStep(Func<StepDefinition, StepDefinition> change) =>
        SamplePlans.WithSteps(change(SamplePlans.ScriptStep("a")));

    private static PlanDefinition WithExecution(ExecutionSpec execution) =>
        WithFirstStep(s => s with { Execution = execution });

    [Fact]
    public void Validate_ValidPlans_NoErrors()
    {
        Assert.Empty(PlanValidator.Validate(SamplePlans.Minimal()));
        Assert.Empty(PlanValidator.Validate(SamplePlans.Everything()));
        Assert.Empty(PlanValidator.Validate(SamplePlans.WithSteps(SamplePlans.ScriptStep("a"), SamplePlans.FileStep("b"), SamplePlans.ApprovalStep("c"))));
    }

    [Theory]
    [InlineData("", "needs a name")]
    [InlineData("   ", "needs a name")]
    [InlineData("line\nbreak", "control characters")]
    public void Validate_BadPlanName_Error(string name, string message) =>
        AssertSingleError(SamplePlans.Minimal() with { Name = name }, "name", message);

    [Fact]
    public void Validate_PlanNameTooLong_Error() =>
        AssertSingleError(SamplePlans.Minimal() with { Name = new string('x', 129) }, "name", "at most 128");

    [Fact]
    public void Validate_NoSteps_Error() =>
        AssertSingleError(SamplePlans.WithSteps(), "steps", "at least one step");

    [Theory]
    [InlineData("", "needs a name")]
    [InlineData("has space", "not a step name")]
    [InlineData("dot.ted", "not a step name")]
    [InlineData("previous", "reserved")]
    public void Validate_BadStepName_Error(string name, string message) =>
        AssertSingleError(WithFirstStep(s => s with { Name = name }), "steps[0].name", message);

    [Fact]
    public void Validate_StepNameAtLimits_LongestAllowedShortestAllowed()
    {
        Assert.Empty(PlanValidator.Validate(WithFirstStep(s => s with { Name = new string('a', 64) })));
        Assert.Empty(PlanValidator.Validate(WithFirstStep(s => s with { Name = "A_b-9" })));
        AssertSingleError(WithFirstStep(s => s with { Name = new string('a', 65) }), "steps[0].name", "at most 64");
    }

    [Fact]
    public void Validate_DuplicateStepName_ErrorOnTheSecond() =>
        AssertSingleError(SamplePlans.WithSteps(SamplePlans.ScriptStep("a"), SamplePlans.ScriptStep("a")), "steps[1].name", "already used");

    [Fact]
    public void Validate_KindWithoutItsSpec_Error() =>
        Assert.Equal(
            [
                new PlanError("steps[0].kind", "A step of kind fileDistribution needs 'files'."),
                new PlanError("steps[0].kind", "A step of kind fileDistribution cannot have 'script'."),
            ],
            PlanValidator.Validate(WithFirstStep(s => s with { Kind = StepKind.FileDistribution })));

    [Fact]
    public void Validate_KindWithExtraSpec_Error() =>
        AssertSingleError(WithFirstStep(s => s with { Approval = new ApprovalSpec() }), "steps[0].kind", "cannot have 'approval'");

    [Fact]
    public void Validate_UndefinedKind_Error() =>
        AssertSingleError(WithFirstStep(s => s with { Kind = (StepKind)42 }), "steps[0].kind", "Unknown step kind 42");

    [Fact]
    public void Validate_ScriptStepWithoutTargets_Error() =>
        AssertSingleError(WithFirstStep(s => s with { Targets = null }), "steps[0].targets", "needs targets");

    [Fact]
    public void Validate_ScriptStepWithEmptyTargets_Error() =>
        AssertSingleError(WithFirstStep(s => s with { Targets = new TargetSpec() }), "steps[0].targets", "needs targets");

    [Fact]
    public void Validate_ApprovalStepWithTargets_Error() =>
        AssertSingleError(
            SamplePlans.WithSteps(SamplePlans.ApprovalStep("a") with { Targets = new TargetSpec { Hosts = ["h"] } }),
            "steps[0].targets",
            "runs on no hosts");

    [Theory]
    [InlineData("-leading")]
    [InlineData("with space")]
    [InlineData("")]
    [InlineData("a/b")]
    public void Validate_BadHostName_Error(string host) =>
        AssertSingleError(
            WithFirstStep(s => s with { Targets = new TargetSpec { Hosts = ["ok", host] } }),
            "steps[0].targets.hosts[1]",
            "not a valid host name");

    [Fact]
    public void Validate_BadSelector_ErrorWithSelectorMessage() =>
        AssertSingleError(
            WithFirstStep(s => s with { Targets = new TargetSpec { Selector = "role in (a" } }),
            "steps[0].targets.selector",
            "position 11");

    [Fact]
    public void Validate_TargetsParameterUnknown_Error() =>
        AssertSingleError(
            WithFirstStep(s => s with { Targets = new TargetSpec { Parameter = "servers" } }),
            "steps[0].targets.parameter",
            "No parameter is named 'servers'");

    [Fact]
    public void Validate_TargetsParameterNotHostList_Error()
    {
        var plan = WithFirstStep(s => s with { Targets = new TargetSpec { Parameter = "servers" } }) with
        {
            Parameters = [new ParameterDefinition { Name = "servers" }],
        };

        AssertSingleError(plan, "steps[0].targets.parameter", "is a string; targets need a hostList parameter");
    }

    [Fact]
    public void Validate_TargetsParameterHostList_NoError()
    {
        var plan = WithFirstStep(s => s with { Targets = new TargetSpec { Parameter = "servers" } }) with
        {
            Parameters = [new ParameterDefinition { Name = "servers", Type = ParameterType.HostList }],
        };

        Assert.Empty(PlanValidator.Validate(plan));
    }

    [Theory]
    [InlineData("a", 1, "")]
    [InlineData("previous", 1, "")]
    [InlineData("previous", 0, "refers to no step")]
    [InlineData("b", 0, "does not come before")]
    [InlineData("a", 0, "does not come before")]
    [InlineData("zzz", 1, "No earlier step is named 'zzz'")]
    [InlineData("", 1, "Name an earlier step")]
    public void Validate_FromStep_MustBeEarlier(string from, int stepIndex, string message)
    {
        var steps = new[] { SamplePlans.ScriptStep("a"), SamplePlans.ScriptStep("b") };
        steps[stepIndex] = steps[stepIndex] with { Targets = new TargetSpec { FromStep = new StepHostsReference { Step = from } } };
        var errors = PlanValidator.Validate(SamplePlans.WithSteps(steps));

        if (message.Length == 0)
        {
            Assert.Empty(errors);
        }
        else
        {
            var error = Assert.Single(errors);
            Assert.Equal($"steps[{stepIndex}].targets.fromStep.step", error.Path);
            Assert.Contains(message, error.Message, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Validate_FromStepApproval_Error()
    {
        var plan = SamplePlans.WithSteps(
            SamplePlans.ApprovalStep("ok"),
            SamplePlans.ScriptStep("b") with { Targets = new TargetSpec { FromStep = new StepHostsReference { Step = "previous" } } });

        AssertSingleError(plan, "steps[1].targets.fromStep.step", "approval step");
    }

    [Theory]
    [InlineData("echo ${{ params.version }}", "")]
    [InlineData("echo ${{ params.nope }}", "no parameter is named 'nope'")]
    [InlineData("echo ${{ steps.first.outputs.x }} ${{ steps.first.succeededHosts }}", "")]
    [InlineData("echo ${{ steps.second.outputs.x }}", "does not come before")]
    [InlineData("echo ${{ steps.third.failedHosts }}", "does not come before")]
    [InlineData("echo ${{ steps.ghost.outputs.x }}", "No earlier step is named 'ghost'")]
    [InlineData("echo ${{ previous.failedHosts }} ${{ host }} ${{ attempt }} ${{ task.id }} ${{ step.name }}", "")]
    [InlineData("echo ${{ env.HOME }}", "is unknown")]
    [InlineData("echo ${{ params.version", "not closed")]
    [InlineData("echo $${{ anything at all }}", "")]
    public void Validate_TemplateInSecondStep_OnlyKnownAndEarlierReferences(string source, string message)
    {
        var plan = SamplePlans.WithSteps(SamplePlans.ScriptStep("first"), SamplePlans.ScriptStep("second", source), SamplePlans.ScriptStep("third")) with
        {
            Parameters = [new ParameterDefinition { Name = "version" }],
        };
        var errors = PlanValidator.Validate(plan);

        if (message.Length == 0)
        {
            Assert.Empty(errors);
        }
        else
        {
            var error = Assert.Single(errors);
            Assert.Equal("steps[1].script.source", error.Path);
            Assert.Contains(message, error.Message, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Validate_PreviousInFirstStep_Error() =>
        AssertSingleError(SamplePlans.WithSteps(SamplePlans.ScriptStep("a", "echo ${{ previous.succeededHosts }}")), "steps[0].script.source", "refers to no step");

    [Fact]
    public void Validate_OwnOutputs_Error() =>
        AssertSingleError(SamplePlans.WithSteps(SamplePlans.ScriptStep("a", "echo ${{ steps.a.outputs.x }}")), "steps[0].script.source", "does not come before");

    [Fact]
    public void Validate_OutputsOfApprovalStep_Error() =>
        AssertSingleError(
            SamplePlans.WithSteps(SamplePlans.ApprovalStep("ok"), SamplePlans.ScriptStep("b", "echo ${{ steps.ok.outputs.x }}")),
            "steps[1].script.source",
            "approval step and has no outputs");

    [Fact]
    public void Validate_HostInApprovalMessage_Error() =>
        AssertSingleError(
            SamplePlans.WithSteps(SamplePlans.ApprovalStep("ok") with { Approval = new ApprovalSpec { Message = "on ${{ host }}" } }),
            "steps[0].approval.message",
            "only in script, file, http and container steps");

    [Fact]
    public void Validate_TemplatesInEveryScriptField_Checked()
    {
        var plan = WithFirstStep(s => s with
        {
            Script = new ScriptSpec
            {
                Source = "echo",
                Args = ["ok", "${{ params.a }}"],
                Env = new Dictionary<string, string> { ["X"] = "${{ params.b }}" },
                WorkingDirectory = "/srv/${{ params.c }}",
            },
        });

        Assert.Equal(
            ["steps[0].script.args[1]", "steps[0].script.env.X", "steps[0].script.workingDirectory"],
            PlanValidator.Validate(plan).Select(e => e.Path));
    }

    [Theory]
    [InlineData("perl")]
    [InlineData("SH")]
    [InlineData("")]
    public void Validate_UnknownInterpreter_Error(string interpreter) =>
        AssertSingleError(
            WithFirstStep(s => s with { Script = new ScriptSpec { Interpreter = interpreter, Source = "x" } }),
            "steps[0].script.interpreter",
            "sh, bash, python3, pwsh");

    [Theory]
    [InlineData("sh")]
    [InlineData("bash")]
    [InlineData("python3")]
    [InlineData("pwsh")]
    public void Validate_KnownInterpreter_NoError(string interpreter) =>
        Assert.Empty(PlanValidator.Validate(WithFirstStep(s => s with { Script = new ScriptSpec { Interpreter = interpreter, Source = "x" } })));

    [Fact]
    public void Validate_EmptyScriptSource_Error() =>
        AssertSingleError(WithFirstStep(s => s with { Script = new ScriptSpec { Source = " \n" } }), "steps[0].script.source", "needs a source");

    [Theory]
    [InlineData("1X", "not an environment variable name")]
    [InlineData("A-B", "not an environment variable name")]
    [InlineData("ORCH_PARAM_X", "set by the orchestrator")]
    public void Validate_BadEnvironmentName_Error(string name, string message) =>
        AssertSingleError(
            WithFirstStep(s => s with { Script = new ScriptSpec { Source = "x", Env = new Dictionary<string, string> { [name] = "v" } } }),
            $"steps[0].script.env.{name}",
            message);

    [Fact]
    public void Validate_FileStepWithoutSources_Error() =>
        AssertSingleError(
            SamplePlans.WithSteps(SamplePlans.FileStep("f") with { Files = new FileDistributionSpec { TargetDirectory = "/opt" } }),
            "steps[0].files.sources",
            "at least one source");

    public static TheoryData<FileSource, string, string> BadFileSources() => new()
    {
        { new FileSource { Name = "a", Sha256 = new string('a', 64), FromHost = "h", Path = "/a" }, "steps[0].files.sources[0]", "not both" },
        { new FileSource { Name = "a" }, "steps[0].files.sources[0]", "Give sha256" },
        { new FileSource { Name = "a", Sha256 = "abc" }, "steps[0].files.sources[0].sha256", "64 hexadecimal" },
        { new FileSource { Name = "a", Sha256 = new string('g', 64) }, "steps[0].files.sources[0].sha256", "64 hexadecimal" },
        { new FileSource { Sha256 = new string('a', 64) }, "steps[0].files.sources[0].name", "needs a name" },
        { new FileSource { FromHost = "h" }, "steps[0].files.sources[0].path", "needs its path" },
        { new FileSource { Path = "/a" }, "steps[0].files.sources[0].fromHost", "needs fromHost" },
        { new FileSource { FromHost = "h", Path = "relative/a" }, "steps[0].files.sources[0].path", "not an absolute path" },
        { new FileSource { FromHost = "bad host", Path = "/a" }, "steps[0].files.sources[0].fromHost", "not a valid host name" },
        { new FileSource { FromHost = "h", Path = "/a", Name = "x/y" }, "steps[0].files.sources[0].name", "not a file name" },
        { new FileSource { FromHost = "h", Path = "/a", Name = ".." }, "steps[0].files.sources[0].name", "not a file name" },
        { new FileSource { FromHost = "${{ params.nope }}", Path = "/a" }, "steps[0].files.sources[0].fromHost", "no parameter" },
    };

    [Theory]
    [MemberData(nameof(BadFileSources))]
    public void Validate_BadFileSource_Error(FileSource source, string path, string message) =>
        AssertSingleError(
            SamplePlans.WithSteps(SamplePlans.FileStep("f") with { Files = new FileDistributionSpec { Sources = [source], TargetDirectory = "/opt" } }),
            path,
            message);

    [Fact]
    public void Validate_TwoSourcesWithOneName_ErrorOnTheSecond() =>
        AssertSingleError(
            SamplePlans.WithSteps(SamplePlans.FileStep("f") with
            {
                Files = new FileDistributionSpec
                {
                    Sources = [new FileSource { FromHost = "h", Path = "/x/app.conf" }, new FileSource { Name = "app.conf", Sha256 = new string('a', 64) }],
                    TargetDirectory = "/opt",
                },
            }),
            "steps[0].files.sources[1]",
            "also written as 'app.conf'");

    [Theory]
    [InlineData("opt/app", "not an absolute path")]
    [InlineData("", "needs a targetDirectory")]
    public void Validate_BadTargetDirectory_Error(string directory, string message) =>
        AssertSingleError(
            SamplePlans.WithSteps(SamplePlans.FileStep("f") with { Files = SamplePlans.FileStep("f").Files! with { TargetDirectory = directory } }),
            "steps[0].files.targetDirectory",
            message);

    [Theory]
    [InlineData("/opt/app")]
    [InlineData("C:\\app")]
    [InlineData("${{ params.dir }}/app")]
    public void Validate_AbsoluteOrTemplateTargetDirectory_NoError(string directory)
    {
        var plan = SamplePlans.WithSteps(SamplePlans.FileStep("f") with { Files = SamplePlans.FileStep("f").Files! with { TargetDirectory = directory } }) with
        {
            Parameters = [new ParameterDefinition { Name = "dir" }],
        };

        Assert.Empty(PlanValidator.Validate(plan));
    }

    [Theory]
    [InlineData("644", false)]
    [InlineData("0644", true)]
    [InlineData("0755", true)]
    [InlineData("0800", false)]
    [InlineData("00644", false)]
    [InlineData("rw-r--r--", false)]
    public void Validate_FileMode_OctalWithLeadingZero(string mode, bool valid)
    {
        var errors = PlanValidator.Validate(SamplePlans.WithSteps(SamplePlans.FileStep("f") with { Files = SamplePlans.FileStep("f").Files! with { Mode = mode } }));

        Assert.Equal(valid, errors.Count == 0);
        Assert.All(errors, e => Assert.Equal("steps[0].files.mode", e.Path));
    }

    [Theory]
    [InlineData(0, 0, "at least 1")]
    [InlineData(3, 2, "could never pass")]
    [InlineData(2, 2, "")]
    [InlineData(5, 0, "")]
    public void Validate_ApprovalRequired_AtLeastOneAndNoMoreThanApprovers(int required, int approvers, string message)
    {
        var approval = new ApprovalSpec { Required = required, Approvers = [.. Enumerable.Range(1, approvers).Select(i => $"user{i}")] };
        var errors = PlanValidator.Validate(SamplePlans.WithSteps(SamplePlans.ApprovalStep("ok") with { Approval = approval }));

        if (message.Length == 0)
        {
            Assert.Empty(errors);
        }
        else
        {
            var error = Assert.Single(errors);
            Assert.Equal("steps[0].approval.required", error.Path);
            Assert.Contains(message, error.Message, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Validate_ApproverRoles_KnownRoleAcceptedAnyCountRequired_UnknownRoleNamed()
    {
        var byRole = new ApprovalSpec { Required = 3, Approvers = ["alice", "role:admin"] };
        var unknown = new ApprovalSpec { Approvers = ["role:superuser"] };

        Assert.Empty(PlanValidator.Validate(SamplePlans.WithSteps(SamplePlans.ApprovalStep("ok") with { Approval = byRole })));
        var error = Assert.Single(PlanValidator.Validate(SamplePlans.WithSteps(SamplePlans.ApprovalStep("ok") with { Approval = unknown })));
        Assert.Equal("steps[0].approval.approvers[0]", error.Path);
        Assert.Contains("names no role", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_ApprovalDuplicateOrEmptyApprover_Error()
    {
        var approval = new ApprovalSpec { Approvers = ["alice", "alice", " "] };

        Assert.Equal(
            ["steps[0].approval.approvers[1]", "steps[0].approval.approvers[2]"],
            PlanValidator.Validate(SamplePlans.WithSteps(SamplePlans.ApprovalStep("ok") with { Approval = approval })).Select(e => e.Path));
    }

    [Fact]
    public void Validate_ApprovalZeroTimeout_Error() =>
        AssertSingleError(
            SamplePlans.WithSteps(SamplePlans.ApprovalStep("ok") with { Approval = new ApprovalSpec { Timeout = TimeSpan.Zero } }),
            "steps[0].approval.timeout",
            "longer than zero");

    public static TheoryData<ExecutionSpec, string, string> BadExecutions() => new()
    {
        { new ExecutionSpec { Parallelism = 0 }, "steps[0].execution.parallelism", "at least 1" },
        { new ExecutionSpec { Rolling = new RollingSpec { Expression = "" } }, "steps[0].execution.rolling.expression", "empty" },
        { new ExecutionSpec { Rolling = new RollingSpec { Expression = "1 200%" } }, "steps[0].execution.rolling.expression", "'200%'" },
        { new ExecutionSpec { Rolling = new RollingSpec { Expression = "1", Mode = (RollingMode)9 } }, "steps[0].execution.rolling.mode", "Unknown rolling mode" },
        { new ExecutionSpec { FailureBudget = new Quantity(-1, false) }, "steps[0].execution.failureBudget", "0 or more" },
        { new ExecutionSpec { FailureBudget = new Quantity(101, true) }, "steps[0].execution.failureBudget", "0% to 100%" },
        { new ExecutionSpec { SuccessPolicy = new Quantity(0, false) }, "steps[0].execution.successPolicy", "1 or more" },
        { new ExecutionSpec { SuccessPolicy = new Quantity(0, true) }, "steps[0].execution.successPolicy", "1% to 100%" },
        { new ExecutionSpec { TargetTimeout = TimeSpan.Zero }, "steps[0].execution.targetTimeout", "longer than zero" },
        { new ExecutionSpec { Deadline = TimeSpan.FromSeconds(-1) }, "steps[0].execution.deadline", "longer than zero" },
        { new ExecutionSpec { Retry = new RetryPolicy { Limit = -1 } }, "steps[0].execution.retry.limit", "0 to 100" },
        { new ExecutionSpec { Retry = new RetryPolicy { Limit = 101 } }, "steps[0].execution.retry.limit", "0 to 100" },
        { new ExecutionSpec { Retry = new RetryPolicy { InitialBackoff = TimeSpan.Zero } }, "steps[0].execution.retry.initialBackoff", "longer than zero" },
        { new ExecutionSpec { Retry = new RetryPolicy { MaxBackoff = TimeSpan.Zero } }, "steps[0].execution.retry.maxBackoff", "longer than zero" },
        { new ExecutionSpec { Retry = new RetryPolicy { MaxBackoff = TimeSpan.FromSeconds(5) } }, "steps[0].execution.retry.maxBackoff", "shorter than initialBackoff (10s)" },
        { new ExecutionSpec { Retry = new RetryPolicy { Factor = 0.5 } }, "steps[0].execution.retry.factor", "at least 1" },
        { new ExecutionSpec { Retry = new RetryPolicy { Factor = double.NaN } }, "steps[0].execution.retry.factor", "at least 1" },
        { new ExecutionSpec { ExitCodes = [new ExitCodeRule()] }, "steps[0].execution.exitCodes[0].codes", "at least one code" },
        { new ExecutionSpec { ExitCodes = [new ExitCodeRule { Codes = [1, 256] }] }, "steps[0].execution.exitCodes[0].codes[1]", "0 to 255" },
        { new ExecutionSpec { ExitCodes = [new ExitCodeRule { Codes = [-1] }] }, "steps[0].execution.exitCodes[0].codes[0]", "0 to 255" },
        { new ExecutionSpec { ExitCodes = [new ExitCodeRule { Codes = [1], Action = (ExitCodeAction)7 }] }, "steps[0].execution.exitCodes[0].action", "Unknown" },
    };

    [Theory]
    [MemberData(nameof(BadExecutions))]
    public void Validate_BadExecution_Error(ExecutionSpec execution, string path, string message) =>
        AssertSingleError(WithExecution(execution), path, message);

    [Fact]
    public void Validate_ExecutionAtLimits_NoError() =>
        Assert.Empty(PlanValidator.Validate(WithExecution(new ExecutionSpec
        {
            Parallelism = 1,
            FailureBudget = new Quantity(100, true),
            SuccessPolicy = new Quantity(100, true),
            Retry = new RetryPolicy { Limit = 100, Factor = 1, InitialBackoff = TimeSpan.FromMinutes(10) },
            ExitCodes = [new ExitCodeRule { Codes = [0, 255] }],
        })));

    [Theory]
    [InlineData("1abc", "not a parameter name")]
    [InlineData("_x", "not a parameter name")]
    [InlineData("a-b", "not a parameter name")]
    [InlineData("", "not a parameter name")]
    public void Validate_BadParameterName_Error(string name, string message) =>
        AssertSingleError(SamplePlans.Minimal() with { Parameters = [new ParameterDefinition { Name = name }] }, "parameters[0].name", message);

    [Fact]
    public void Validate_ParameterNamesDifferingInCase_Error() =>
        AssertSingleError(
            SamplePlans.Minimal() with { Parameters = [new ParameterDefinition { Name = "Version" }, new ParameterDefinition { Name = "version" }] },
            "parameters[1].name",
            "defined twice");

    [Fact]
    public void Validate_HostListDefaultWithBadHost_Error() =>
        AssertSingleError(
            SamplePlans.Minimal() with { Parameters = [new ParameterDefinition { Name = "hosts", Type = ParameterType.HostList, Default = "a, -b" }] },
            "parameters[0].default",
            "'-b'");

    [Fact]
    public void Validate_ManyProblems_AllReportedInPlanOrder()
    {
        var plan = new PlanDefinition
        {
            Name = "",
            Parameters = [new ParameterDefinition { Name = "9" }],
            Steps = [SamplePlans.ScriptStep("a b") with { Targets = null }, SamplePlans.ApprovalStep("ok") with { Approval = new ApprovalSpec { Required = 0 } }],
        };

        Assert.Equal(
            ["name", "parameters[0].name", "steps[0].name", "steps[0].targets", "steps[1].approval.required"],
            PlanValidator.Validate(plan).Select(e => e.Path));
    }
}
