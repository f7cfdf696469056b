using Orchestrator.Plans.Model;
using Orchestrator.Plans.Parsing;
using Orchestrator.Plans.Serialization;
using Orchestrator.Plans.Tests.Support;
using Orchestrator.Plans.Validation;

namespace Orchestrator.Plans.Tests.Parsing;

/// <summary>The http step kind: its block in YAML and JSON, its rules, and its errors with paths and positions.</summary>
public sealed class HttpStepTests
{
    private const string Head = "name: p\nparameters: [{name: version}]\nsteps:\n  - name: s\n    targets: {hosts: [h]}\n";

    private static PlanError SingleError(string yaml)
    {
        var result = PlanParser.ParseYaml(yaml);
        Assert.False(result.Ok);
        return Assert.Single(result.Errors);
    }

    [Fact]
    public void ParseYaml_FullHttpBlock_EveryFieldRead()
    {
        var result = PlanParser.ParseYaml(Head + """
                http:
                  method: POST
                  url: "https://${{ host }}/deploy?v=${{ params.version }}"
                  headers:
                    Content-Type: application/json
                    X-Attempt: "${{ attempt }}"
                  body: '{"version": "${{ params.version }}"}'
                  expectStatus: [200, 202, 3xx]
                  timeout: 30s
                  followRedirects: false
            """ + "\n");

        Assert.True(result.Ok, string.Join("\n", result.Errors));
        var step = result.Plan!.Steps[0];
        Assert.Equal(StepKind.Http, step.Kind);
        var http = step.Http!;
        Assert.Equal("POST", http.Method);
        Assert.Equal("https://${{ host }}/deploy?v=${{ params.version }}", http.Url);
        Assert.Equal("application/json", http.Headers["Content-Type"]);
        Assert.Equal("${{ attempt }}", http.Headers["X-Attempt"]);
        Assert.Equal("{\"version\": \"${{ params.version }}\"}", http.Body);
        Assert.Equal(["200", "202", "3xx"], http.ExpectStatus);
        Assert.Equal(TimeSpan.FromSeconds(30), http.Timeout);
        Assert.False(http.FollowRedirects);
    }

    [Fact]
    public void ParseYaml_ShortForm_GetOfTheUrlWithDefaults()
    {
        var result = PlanParser.ParseYaml(Head + "    http: http://localhost:8080/health\n");

        Assert.True(result.Ok, string.Join("\n", result.Errors));
        var http = result.Plan!.Steps[0].Http!;
        Assert.Equal(("GET", "http://localhost:8080/health"), (http.Method, http.Url));
        Assert.Empty(http.ExpectStatus);
        Assert.Null(http.Timeout);
        Assert.Null(http.FollowRedirects);
    }

    [Fact]
    public void ParseYaml_SingleExpectStatus_OneItemList()
    {
        var result = PlanParser.ParseYaml(Head + "    http: {url: 'http://h/', expectStatus: 204}\n");

        Assert.True(result.Ok, string.Join("\n", result.Errors));
        Assert.Equal(["204"], result.Plan!.Steps[0].Http!.ExpectStatus);
    }

    [Fact]
    public void ParseJson_HttpBlock_SameAsYaml()
    {
        var result = PlanParser.ParseJson("""
            {"name": "p", "steps": [{"name": "s", "kind": "http", "targets": {"hosts": ["h"]},
              "http": {"method": "PUT", "url": "https://h/x", "headers": {"A": "b"}, "body": "x", "expectStatus": [201, "2xx"], "timeout": "5s"}}]}
            """);

        Assert.True(result.Ok, string.Join("\n", result.Errors));
        var http = result.Plan!.Steps[0].Http!;
        Assert.Equal(("PUT", "x", TimeSpan.FromSeconds(5)), (http.Method, http.Body, http.Timeout));
        Assert.Equal(["201", "2xx"], http.ExpectStatus);
    }

    [Fact]
    public void ParseYaml_ScriptAndHttp_ErrorNamingBoth()
    {
        var error = SingleError(Head + "    script: echo\n    http: http://h/\n");

        Assert.Equal("steps[0].kind", error.Path);
        Assert.Contains("'script' and 'http'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ParseYaml_KindHttpWithScript_Errors()
    {
        var result = PlanParser.ParseYaml(Head + "    kind: http\n    script: echo\n");

        Assert.Contains(result.Errors, e => e.Path == "steps[0].kind" && e.Message.Contains("needs 'http'", StringComparison.Ordinal));
        Assert.Contains(result.Errors, e => e.Path == "steps[0].kind" && e.Message.Contains("cannot have 'script'", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("{url: 'ftp://h/x'}", "steps[0].http.url", "not an absolute http:// or https:// URL", 6, 17)]
    [InlineData("{url: '/relative'}", "steps[0].http.url", "not an absolute", 6, 17)]
    [InlineData("{method: get, url: 'http://h/'}", "steps[0].http.method", "upper-case", 6, 20)]
    [InlineData("{url: 'http://h/', expectStatus: [200, 600]}", "steps[0].http.expectStatus[1]", "100 to 599", 6, 50)]
    [InlineData("{url: 'http://h/', expectStatus: [2XX, 6xx]}", "steps[0].http.expectStatus[1]", "a class such as 2xx", 6, 50)]
    [InlineData("{url: 'http://h/', timeout: 0s}", "steps[0].http.timeout", "longer than zero", 6, 39)]
    [InlineData("{url: 'http://h/', headers: {'Bad Name': x}}", "steps[0].http.headers.Bad Name", "not a header name", 6, 52)]
    [InlineData("{url: 'http://h/', headers: {Content-Length: '3'}}", "steps[0].http.headers.Content-Length", "set by the agent", 6, 56)]
    [InlineData("{url: 'http://h/${{ params.nope }}'}", "steps[0].http.url", "no parameter is named 'nope'", 6, 17)]
    [InlineData("{url: 'http://h/', body: '${{ steps.later.outputs.x }}'}", "steps[0].http.body", "does not come before", 6, 36)]
    [InlineData("{url: 'http://h/', followRedirects: maybe}", "steps[0].http.followRedirects", "true or false", 6, 47)]
    [InlineData("{uri: 'http://h/'}", "steps[0].http.uri", "Did you mean 'url'?", 6, 12)]
    public void ParseYaml_BadHttpField_ErrorWithPathAndPosition(string http, string path, string messagePart, int line, int column)
    {
        var result = PlanParser.ParseYaml(Head + "    http: " + http + "\n  - name: later\n    targets: {hosts: [h]}\n    script: echo\n");

        var error = Assert.Single(result.Errors, e => e.Path == path);
        Assert.Equal(path, error.Path);
        Assert.Contains(messagePart, error.Message, StringComparison.Ordinal);
        Assert.Equal((line, column), (error.Line, error.Column));
    }

    [Fact]
    public void Validate_HttpStepWithoutTargets_Error()
    {
        var plan = SamplePlans.WithSteps(SamplePlans.HttpStep("h") with { Targets = null });

        var error = Assert.Single(PlanValidator.Validate(plan));
        Assert.Equal("steps[0].targets", error.Path);
        Assert.Contains("http step needs targets", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_HttpStepWithExitCodes_ErrorPointingAtExpectStatus()
    {
        var plan = SamplePlans.WithSteps(SamplePlans.HttpStep("h") with
        {
            Execution = new ExecutionSpec { ExitCodes = [new ExitCodeRule { Codes = [1] }] },
        });

        var error = Assert.Single(PlanValidator.Validate(plan));
        Assert.Equal("steps[0].execution.exitCodes", error.Path);
        Assert.Contains("expectStatus", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_HostAndOutputsOfAnHttpStep_Allowed()
    {
        var plan = SamplePlans.WithSteps(
            SamplePlans.HttpStep("probe", "https://${{ host }}/health"),
            SamplePlans.ScriptStep("use", "echo ${{ steps.probe.outputs.status }} ${{ steps.probe.succeededHosts }}") with
            {
                Targets = new TargetSpec { FromStep = new StepHostsReference { Step = "probe" } },
            });

        Assert.Empty(PlanValidator.Validate(plan));
    }

    [Theory]
    [InlineData("yaml")]
    [InlineData("json")]
    public void Serialize_HttpStep_ParsedBackEqual(string format)
    {
        var plan = SamplePlans.WithSteps(SamplePlans.HttpStep("h") with
        {
            Http = new HttpSpec
            {
                Method = "DELETE",
                Url = "https://h/x",
                Headers = new Dictionary<string, string> { ["X-Token"] = "a: b" },
                Body = "line 1\nline 2\n",
                ExpectStatus = ["204", "404"],
                Timeout = TimeSpan.FromMilliseconds(2500),
                FollowRedirects = true,
            },
        });

        var text = format == "json" ? PlanSerializer.ToJson(plan) : PlanSerializer.ToYaml(plan);
        var back = format == "json" ? PlanParser.ParseJson(text) : PlanParser.ParseYaml(text);

        Assert.True(back.Ok, text + "\n" + string.Join("\n", back.Errors));
        StructuralEquality.AssertEqual(plan, back.Plan);
        Assert.DoesNotContain("kind", text, StringComparison.Ordinal);
    }
}
