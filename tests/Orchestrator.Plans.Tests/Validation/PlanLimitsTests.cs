using Orchestrator.Plans.Model;
using Orchestrator.Plans.Parsing;
using Orchestrator.Plans.Tests.Support;
using Orchestrator.Plans.Validation;

namespace Orchestrator.Plans.Tests.Validation;

/// <summary>
/// Every duration and size the plan format bounds (<see cref="PlanLimits"/>): one past the limit is an error naming
/// the field, the limit itself is accepted; and a huge value is refused without being quoted back whole.
/// </summary>
public sealed class PlanLimitsTests
{
    private static readonly TimeSpan Absurd = TimeSpan.FromDays(3_000_000);

    private static PlanDefinition Step(StepDefinition step) => SamplePlans.WithSteps(step);

    private static PlanDefinition Execution(ExecutionSpec execution) => Step(SamplePlans.ScriptStep("a") with { Execution = execution });

    private static PlanDefinition Script(Func<ScriptSpec, ScriptSpec> change) =>
        Step(SamplePlans.ScriptStep("a") with { Script = change(new ScriptSpec { Source = "echo hi" }) });

    private static PlanDefinition Http(Func<HttpSpec, HttpSpec> change) =>
        Step(SamplePlans.HttpStep("a") with { Http = change(new HttpSpec { Url = "https://web-1/health" }) });

    private static PlanDefinition Approval(Func<ApprovalSpec, ApprovalSpec> change) =>
        Step(SamplePlans.ApprovalStep("a") with { Approval = change(new ApprovalSpec { Message = "go?" }) });

    private static PlanDefinition Files(Func<FileDistributionSpec, FileDistributionSpec> change) =>
        Step(SamplePlans.FileStep("a") with { Files = change(SamplePlans.FileStep("a").Files!) });

    /// <summary>Every duration field, with the plan holding a given value in it.</summary>
    private static readonly Dictionary<string, (Func<TimeSpan, PlanDefinition> Plan, TimeSpan Max)> DurationFields = new()
    {
        ["ttlAfterFinished"] = (d => SamplePlans.Minimal() with { TtlAfterFinished = d }, PlanLimits.MaxTtlAfterFinished),
        ["steps[0].execution.targetTimeout"] = (d => Execution(new ExecutionSpec { TargetTimeout = d }), PlanLimits.MaxTargetTimeout),
        ["steps[0].execution.deadline"] = (d => Execution(new ExecutionSpec { Deadline = d }), PlanLimits.MaxDeadline),
        ["steps[0].execution.retry.initialBackoff"] = (d => Execution(new ExecutionSpec { Retry = new RetryPolicy { InitialBackoff = d, MaxBackoff = d } }), PlanLimits.MaxBackoff),
        ["steps[0].execution.retry.maxBackoff"] = (d => Execution(new ExecutionSpec { Retry = new RetryPolicy { InitialBackoff = TimeSpan.FromSeconds(1), MaxBackoff = d } }), PlanLimits.MaxBackoff),
        ["steps[0].approval.timeout"] = (d => Approval(a => a with { Timeout = d }), PlanLimits.MaxApprovalTimeout),
        ["steps[0].http.timeout"] = (d => Http(h => h with { Timeout = d }), PlanLimits.MaxHttpTimeout),
    };

    public static TheoryData<string> DurationPaths() => [.. DurationFields.Keys];

    [Theory]
    [MemberData(nameof(DurationPaths))]
    public void Validate_DurationOverItsMaximum_ErrorNamingThePath(string path)
    {
        var (plan, max) = DurationFields[path];

        foreach (var value in new[] { max + TimeSpan.FromMilliseconds(1), Absurd, TimeSpan.MaxValue })
        {
            var errors = PlanValidator.Validate(plan(value));
            var error = Assert.Single(errors, e => e.Path == path);
            Assert.Contains($"at most {PlanLimits.Describe(max)}", error.Message, StringComparison.Ordinal);
        }
    }

    [Theory]
    [MemberData(nameof(DurationPaths))]
    public void Validate_DurationAtItsMaximum_Accepted(string path) =>
        Assert.Empty(PlanValidator.Validate(DurationFields[path].Plan(DurationFields[path].Max)));

    [Theory]
    [MemberData(nameof(DurationPaths))]
    public void Validate_DurationBelowItsMinimum_ErrorNamingThePath(string path)
    {
        var (plan, _) = DurationFields[path];
        var below = path == "ttlAfterFinished" ? TimeSpan.FromTicks(-1) : TimeSpan.Zero; // a ttl of zero deletes at once

        Assert.Contains(PlanValidator.Validate(plan(below)), e => e.Path == path);
        Assert.Contains(PlanValidator.Validate(plan(TimeSpan.MinValue)), e => e.Path == path);
    }

    [Fact]
    public void Validate_BackoffFactorOverItsMaximum_Error()
    {
        var error = Assert.Single(PlanValidator.Validate(Execution(new ExecutionSpec { Retry = new RetryPolicy { Factor = 10.5 } })));
        Assert.Equal("steps[0].execution.retry.factor", error.Path);
        Assert.Contains("at most 10", error.Message, StringComparison.Ordinal);
        Assert.Empty(PlanValidator.Validate(Execution(new ExecutionSpec { Retry = new RetryPolicy { Factor = PlanLimits.MaxBackoffFactor } })));
    }

    [Theory]
    [InlineData("ttlAfterFinished: 3000000d\n", "", "ttlAfterFinished", 1, 19)]
    [InlineData("", "    execution: {deadline: 3000000d}\n", "steps[0].execution.deadline", 6, 27)]
    [InlineData("", "    execution: {targetTimeout: 3000000d}\n", "steps[0].execution.targetTimeout", 6, 32)]
    [InlineData("", "    execution: {retry: {initialBackoff: 3000000d, maxBackoff: 1h}}\n", "steps[0].execution.retry.initialBackoff", 6, 41)]
    [InlineData("", "    execution: {retry: {maxBackoff: 3000000d}}\n", "steps[0].execution.retry.maxBackoff", 6, 37)]
    public void ParseYaml_DurationOverItsMaximum_ErrorWithPathAndPosition(string planFields, string stepFields, string path, int line, int column)
    {
        var yaml = planFields + "name: p\nsteps:\n  - name: s\n    targets: {hosts: [h]}\n    script: exit 0\n" + stepFields;

        var error = Assert.Single(PlanParser.ParseYaml(yaml).Errors);

        Assert.Equal((path, line, column), (error.Path, error.Line, error.Column));
        Assert.Contains("at most", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ParseYaml_ApprovalAndHttpTimeoutsOverTheirMaximum_ErrorsWithPositions()
    {
        var result = PlanParser.ParseYaml("""
            name: p
            steps:
              - name: ok
                approval: {timeout: 3000000d}
              - name: call
                targets: {hosts: [h]}
                http: {url: "https://h/", timeout: 2h}
            """);

        Assert.Equal(
            [("steps[0].approval.timeout", 4, 25), ("steps[1].http.timeout", 7, 40)],
            result.Errors.Select(e => (e.Path, e.Line ?? 0, e.Column ?? 0)));
    }

    private static string Text(int length) => new('x', length);

    /// <summary>Every size limit: the plan one over it, and the path the error names.</summary>
    private static readonly Dictionary<string, (Func<int, PlanDefinition> Plan, int Max, string Path)> SizeLimits = new()
    {
        ["plan name"] = (n => SamplePlans.Minimal() with { Name = Text(n) }, PlanLimits.MaxPlanNameLength, "name"),
        ["plan description"] = (n => SamplePlans.Minimal() with { Description = Text(n) }, PlanLimits.MaxDescriptionLength, "description"),
        ["steps"] = (n => SamplePlans.WithSteps([.. Enumerable.Range(0, n).Select(i => SamplePlans.ScriptStep($"s{i}"))]), PlanLimits.MaxSteps, "steps"),
        ["step name"] = (n => Step(SamplePlans.ScriptStep(Text(n))), PlanLimits.MaxStepNameLength, "steps[0].name"),
        ["parameters"] = (n => SamplePlans.Minimal() with { Parameters = [.. Enumerable.Range(0, n).Select(i => new ParameterDefinition { Name = $"p{i}" })] }, PlanLimits.MaxParameters, "parameters"),
        ["parameter name"] = (n => SamplePlans.Minimal() with { Parameters = [new ParameterDefinition { Name = Text(n) }] }, PlanLimits.MaxParameterNameLength, "parameters[0].name"),
        ["parameter default"] = (n => SamplePlans.Minimal() with { Parameters = [new ParameterDefinition { Name = "p", Default = Text(n) }] }, PlanLimits.MaxParameterValueLength, "parameters[0].default"),
        ["parameter description"] = (n => SamplePlans.Minimal() with { Parameters = [new ParameterDefinition { Name = "p", Description = Text(n) }] }, PlanLimits.MaxDescriptionLength, "parameters[0].description"),
        ["hosts per list"] = (n => Step(SamplePlans.ScriptStep("a") with { Targets = new TargetSpec { Hosts = [.. Enumerable.Range(0, n).Select(i => $"h{i}")] } }), PlanLimits.MaxHostsPerList, "steps[0].targets.hosts"),
        ["host name"] = (n => Step(SamplePlans.ScriptStep("a") with { Targets = new TargetSpec { Hosts = [Text(n)] } }), PlanLimits.MaxHostNameLength, "steps[0].targets.hosts[0]"),
        ["label selector"] = (n => Step(SamplePlans.ScriptStep("a") with { Targets = new TargetSpec { Selector = "a in (" + Text(n - 7) + ")" } }), PlanLimits.MaxSelectorLength, "steps[0].targets.selector"),
        ["script source"] = (n => Script(s => s with { Source = Text(n) }), PlanLimits.MaxScriptLength, "steps[0].script.source"),
        ["args"] = (n => Script(s => s with { Args = [.. Enumerable.Repeat("a", n)] }), PlanLimits.MaxArgs, "steps[0].script.args"),
        ["arg"] = (n => Script(s => s with { Args = [Text(n)] }), PlanLimits.MaxArgLength, "steps[0].script.args[0]"),
        ["env entries"] = (n => Script(s => s with { Env = Enumerable.Range(0, n).ToDictionary(i => $"V{i}", _ => "") }), PlanLimits.MaxEnvEntries, "steps[0].script.env"),
        ["env name"] = (n => Script(s => s with { Env = new Dictionary<string, string> { [Text(n)] = "" } }), PlanLimits.MaxEnvNameLength, "steps[0].script.env"),
        ["env value"] = (n => Script(s => s with { Env = new Dictionary<string, string> { ["V"] = Text(n) } }), PlanLimits.MaxEnvValueLength, "steps[0].script.env.V"),
        ["working directory"] = (n => Script(s => s with { WorkingDirectory = "/" + Text(n - 1) }), PlanLimits.MaxPathLength, "steps[0].script.workingDirectory"),
        ["file sources"] = (n => Files(f => f with { Sources = [.. Enumerable.Range(0, n).Select(i => new FileSource { Name = $"f{i}", Sha256 = new string('a', 64) })] }), PlanLimits.MaxFileSources, "steps[0].files.sources"),
        ["file name"] = (n => Files(f => f with { Sources = [new FileSource { Name = Text(n), Sha256 = new string('a', 64) }] }), PlanLimits.MaxFileNameLength, "steps[0].files.sources[0].name"),
        ["file path"] = (n => Files(f => f with { Sources = [new FileSource { FromHost = "h", Path = "/" + Text(n - 1) }] }), PlanLimits.MaxPathLength, "steps[0].files.sources[0].path"),
        ["target directory"] = (n => Files(f => f with { TargetDirectory = "/" + Text(n - 1) }), PlanLimits.MaxPathLength, "steps[0].files.targetDirectory"),
        ["http url"] = (n => Http(h => h with { Url = "https://h/" + Text(n - 10) }), PlanLimits.MaxUrlLength, "steps[0].http.url"),
        ["http headers"] = (n => Http(h => h with { Headers = Enumerable.Range(0, n).ToDictionary(i => $"X-{i}", _ => "v") }), PlanLimits.MaxHeaders, "steps[0].http.headers"),
        ["http header name"] = (n => Http(h => h with { Headers = new Dictionary<string, string> { [Text(n)] = "v" } }), PlanLimits.MaxHeaderNameLength, "steps[0].http.headers"),
        ["http header value"] = (n => Http(h => h with { Headers = new Dictionary<string, string> { ["X-A"] = Text(n) } }), PlanLimits.MaxHeaderValueLength, "steps[0].http.headers.X-A"),
        ["http body"] = (n => Http(h => h with { Body = Text(n) }), PlanLimits.MaxHttpBodyLength, "steps[0].http.body"),
        ["http expected statuses"] = (n => Http(h => h with { ExpectStatus = [.. Enumerable.Repeat("200", n)] }), PlanLimits.MaxExpectStatuses, "steps[0].http.expectStatus"),
        ["approvers"] = (n => Approval(a => a with { Approvers = [.. Enumerable.Range(0, n).Select(i => $"u{i}")] }), PlanLimits.MaxApprovers, "steps[0].approval.approvers"),
        ["approver"] = (n => Approval(a => a with { Approvers = [Text(n)] }), PlanLimits.MaxApproverLength, "steps[0].approval.approvers[0]"),
        ["approval message"] = (n => Approval(a => a with { Message = Text(n) }), PlanLimits.MaxMessageLength, "steps[0].approval.message"),
        ["rolling expression"] = (n => Execution(new ExecutionSpec { Rolling = new RollingSpec { Expression = "1" + string.Concat(Enumerable.Repeat(" 1", (n - 1) / 2)) + (n % 2 == 0 ? " " : "") } }), PlanLimits.MaxRollingExpressionLength, "steps[0].execution.rolling.expression"),
        ["exit-code rules"] = (n => Execution(new ExecutionSpec { ExitCodes = [.. Enumerable.Range(0, n).Select(_ => new ExitCodeRule { Codes = [1] })] }), PlanLimits.MaxExitCodeRules, "steps[0].execution.exitCodes"),
        ["codes per rule"] = (n => Execution(new ExecutionSpec { ExitCodes = [new ExitCodeRule { Codes = [.. Enumerable.Range(0, n).Select(i => i % 256)] }] }), PlanLimits.MaxExitCodesPerRule, "steps[0].execution.exitCodes[0].codes"),
        ["placeholders per field"] = (n => Script(s => s with { Source = string.Concat(Enumerable.Repeat("${{ host }}", n)) }), PlanLimits.MaxPlaceholdersPerField, "steps[0].script.source"),
        ["template expression"] = (n => SamplePlans.WithSteps(SamplePlans.ScriptStep("b"), SamplePlans.ScriptStep("a", "${{ steps.b.outputs." + Text(n - 16) + " }}")),
            PlanLimits.MaxTemplateExpressionLength, "steps[1].script.source"),
    };

    public static TheoryData<string> SizeLimitNames() => [.. SizeLimits.Keys];

    [Theory]
    [MemberData(nameof(SizeLimitNames))]
    public void Validate_OneOverASizeLimit_ErrorNamingThePathAndTheLimit(string limit)
    {
        var (plan, max, path) = SizeLimits[limit];

        var errors = PlanValidator.Validate(plan(max + 1));

        var error = Assert.Single(errors);
        Assert.Equal(path, error.Path);
        Assert.Contains(max.ToString(System.Globalization.CultureInfo.InvariantCulture), error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(SizeLimitNames))]
    public void Validate_AtASizeLimit_Accepted(string limit)
    {
        var (plan, max, _) = SizeLimits[limit];

        Assert.Empty(PlanValidator.Validate(plan(max)));
    }

    /// <summary>Fields of a plan in YAML with <c>HUGE</c> where 10 MB of text goes, and the path the error names.</summary>
    public static TheoryData<string, string> TenMegabyteFields() => new()
    {
        { "description: \"HUGE\"\n", "description" },
        { "    script: {source: \"HUGE\"}\n", "steps[0].script.source" },
        { "    script: {source: x, args: [\"HUGE\"]}\n", "steps[0].script.args[0]" },
        { "    script: {source: x, env: {V: \"HUGE\"}}\n", "steps[0].script.env.V" },
        { "    script: {source: x, workingDirectory: \"/HUGE\"}\n", "steps[0].script.workingDirectory" },
        { "    targets: {selector: \"HUGE\"}\n", "steps[0].targets.selector" },
        { "    http: {url: \"https://h/HUGE\"}\n", "steps[0].http.url" },
        { "    http: {url: \"https://h/\", body: \"HUGE\"}\n", "steps[0].http.body" },
        { "    http: {url: \"https://h/\", headers: {X-A: \"HUGE\"}}\n", "steps[0].http.headers.X-A" },
        { "    script:\n      source: x\n      env:\n        ? \"HUGE\"\n        : v\n", "steps[0].script.env" },
        { "    script:\n      source: x\n      ? \"HUGE\"\n      : 1\n", "steps[0].script" },
    };

    [Theory]
    [MemberData(nameof(TenMegabyteFields))]
    public void ParseYaml_TenMegabyteField_RefusedNamingIt_WithoutQuotingIt(string field, string path)
    {
        var text = field.Replace("HUGE", new string('a', 10 * 1024 * 1024), StringComparison.Ordinal);
        var step = "  - name: s\n" + (field.Contains("targets:", StringComparison.Ordinal) ? "    script: x\n" : "    targets: {hosts: [h]}\n");
        var yaml = field.StartsWith(' ') ? "name: p\nsteps:\n" + step + text : text + "name: p\nsteps:\n" + step + "    script: x\n";

        var result = PlanParser.ParseYaml(yaml);

        Assert.False(result.Ok);
        var error = Assert.Single(result.Errors);
        Assert.Equal(path, error.Path);
        Assert.NotNull(error.Line);
        Assert.True(error.ToString().Length < 1000, $"the error quotes the value: {error.ToString().Length} characters");
    }

    [Fact]
    public void ParseYaml_TenMegabyteHostName_RefusedWithoutQuotingIt()
    {
        var result = PlanParser.ParseYaml($"name: p\nsteps:\n  - name: s\n    script: x\n    targets: {{hosts: [{new string('h', 10 * 1024 * 1024)}]}}\n");

        var error = Assert.Single(result.Errors);
        Assert.Equal("steps[0].targets.hosts[0]", error.Path);
        Assert.True(error.Message.Length < 1000, $"the error quotes the value: {error.Message.Length} characters");
    }

    [Theory]
    [InlineData(PlanLimits.MaxScriptLength + 1, "steps[0].script.source", "at most 262144 characters")]
    [InlineData(4 * PlanLimits.MaxScriptLength + 1, "steps[0].script.file", "longer than a script may be")]
    public void ParseYaml_ScriptFileOverTheLimit_ErrorNamingTheField(int bytes, string path, string message)
    {
        var directory = Directory.CreateTempSubdirectory("plans-");
        try
        {
            File.WriteAllText(Path.Combine(directory.FullName, "big.sh"), new string('x', bytes));

            var result = PlanParser.ParseYaml("name: p\nsteps:\n  - name: s\n    targets: {hosts: [h]}\n    script: {file: big.sh}\n",
                new PlanParseOptions { BaseDirectory = directory.FullName });

            var error = Assert.Single(result.Errors);
            Assert.Equal(path, error.Path);
            Assert.Contains(message, error.Message, StringComparison.Ordinal);
        }
        finally
        {
            directory.Delete(recursive: true);
        }
    }
}
