using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Orchestrator.Api.Jobs;
using Orchestrator.Plans.Validation;

namespace Orchestrator.Engine.Tests.Jobs;

/// <summary>
/// The plans the jobs API builds for its built-in kinds are held to the plan format's rules before they run: each
/// refusal is Harbor's 400 naming the job parameter that fed the field, never a 202 for a run that must fail.
/// </summary>
public sealed class BuiltinJobChecksTests
{
    private static Dictionary<string, string> Http(params (string Name, string Value)[] extra)
    {
        var given = new Dictionary<string, string>(StringComparer.Ordinal) { ["url"] = "https://h.example/x" };
        foreach (var (name, value) in extra)
        {
            given[name] = value;
        }
        return given;
    }

    private static (int Status, string Err, string Description) Refusal(string kind, Dictionary<string, string> given)
    {
        var (plan, values, error) = BuiltinJobs.Build(kind, given);
        Assert.True(error is not null, $"accepted: {plan?.Name} with {values?.Count} values");
        var json = Assert.IsType<JsonHttpResult<JsonObject>>(error);
        return (json.StatusCode!.Value, json.Value!["err"]!.GetValue<string>(), json.Value["description"]!.GetValue<string>());
    }

    public static TheoryData<string, string, string> BadHeaders() => new()
    {
        { "header.X-A", "a\r\nInjected: 1", "job.parameters.header.X-A" },
        { "header.X-A", "a\nb", "job.parameters.header.X-A" },
        { "header.X-A", "a\0b", "job.parameters.header.X-A" },
        { "header.X-A", "a\u007fb", "job.parameters.header.X-A" },
        { "header.X-A", new string('v', PlanLimits.MaxHeaderValueLength + 1), "job.parameters.header.X-A" },
        { "headers", """{"X-A":null}""", "job.parameters.headers.X-A" },
        { "headers", """{"X-A":5}""", "job.parameters.headers.X-A" },
        { "headers", """{"X-C":"a\r\nInjected: 1"}""", "job.parameters.headers.X-C" },
        { "headers", """{"X-N":"a\u0000b"}""", "job.parameters.headers.X-N" },
        { "headers", """{"X-A":"1","x-a":"2"}""", "job.parameters.headers.x-a" },
        { "headers", """{"a b":"1"}""", "job.parameters.headers['a b']" },
        { "headers", """["X-A"]""", "job.parameters.headers" },
        { "headers", "{", "job.parameters.headers" },
        { "header.Content-Length", "5", "job.parameters.header.Content-Length" },
    };

    [Theory]
    [MemberData(nameof(BadHeaders))]
    public void BuildHttp_BadHeader_Is400NamingTheJobParameter(string name, string value, string field)
    {
        var (status, err, description) = Refusal(BuiltinJobs.Http, Http((name, value)));

        Assert.Equal(StatusCodes.Status400BadRequest, status);
        Assert.Equal("invalid " + field, err);
        Assert.StartsWith(field + ":", description, StringComparison.Ordinal);
    }

    [Fact]
    public void BuildHttp_AHeaderGivenBothWays_IsRefused()
    {
        var (_, err, description) = Refusal(BuiltinJobs.Http, Http(("header.X-Token", "a-token"), ("headers", """{"x-token":"b-token"}""")));

        Assert.Equal("invalid job.parameters.headers.x-token", err);
        Assert.Contains("given twice", description, StringComparison.Ordinal);
    }

    [Fact]
    public void BuildHttp_MoreHeadersThanAnHttpStepTakes_IsRefused()
    {
        var headers = new JsonObject();
        for (var i = 0; i <= PlanLimits.MaxHeaders; i++)
        {
            headers["X-H" + i] = "v";
        }

        var (_, err, _) = Refusal(BuiltinJobs.Http, Http(("headers", headers.ToJsonString())));

        Assert.Equal("invalid job.parameters.headers", err);
    }

    [Fact]
    public void BuildHttp_UrlLongerThanAnHttpStepTakes_IsRefusedByThePlanValidatorNamingUrl()
    {
        var (_, err, description) = Refusal(BuiltinJobs.Http, Http(("url", "https://h.example/" + new string('p', PlanLimits.MaxUrlLength))));

        Assert.Equal("invalid job.parameters.url", err);
        Assert.Contains(PlanLimits.MaxUrlLength.ToString(System.Globalization.CultureInfo.InvariantCulture), description, StringComparison.Ordinal);
    }

    [Fact]
    public void BuildHttp_UrlWithCredentialsNotHttp_IsRefusedWithoutShowingThem()
    {
        var (_, err, description) = Refusal(BuiltinJobs.Http, Http(("url", "ftp://bob:hunter2@h.example/x?token=qs-secret")));

        Assert.Equal("invalid job.parameters.url", err);
        Assert.DoesNotContain("hunter2", description, StringComparison.Ordinal);
        Assert.DoesNotContain("qs-secret", description, StringComparison.Ordinal);
        Assert.Contains("ftp://***@h.example/x", description, StringComparison.Ordinal);
    }

    [Fact]
    public void BuildHttp_GoodHeadersBothWays_BuildAValidPlanWithSecretHeaderValues()
    {
        var longName = "X-" + new string('L', 120);
        var (plan, values, error) = BuiltinJobs.Build(BuiltinJobs.Http, Http(
            ("header.PRIVATE-TOKEN", "tab\tis allowed"),
            ("headers", $$"""{"Authorization":"Bearer abc","{{longName}}":"v"}"""),
            ("url", "https://alice:pw@h.example/x")));

        Assert.Null(error);
        Assert.Empty(PlanValidator.Validate(plan!));
        var headers = plan!.Steps[0].Http!.Headers;
        Assert.Equal(["Authorization", "PRIVATE-TOKEN", longName], headers.Keys.Order(StringComparer.OrdinalIgnoreCase));
        Assert.Equal("tab\tis allowed", values!["header_PRIVATE_TOKEN"]);
        Assert.All(plan.Parameters.Where(p => p.Name.StartsWith("header_", StringComparison.Ordinal)),
            p => Assert.True(p.Type == Orchestrator.Plans.Model.ParameterType.Secret && p.Name.Length <= PlanLimits.MaxParameterNameLength, p.Name));
        Assert.Equal("https://***@h.example/x", values["url"]);
    }

    [Fact]
    public void BuildScript_AValidJob_IsAValidPlan()
    {
        var (plan, _, error) = BuiltinJobs.Build(BuiltinJobs.Script, new Dictionary<string, string> { ["host"] = "h-1,_build", ["script"] = "echo ${{ not a template }}" });

        Assert.Null(error);
        Assert.Empty(PlanValidator.Validate(plan!));
    }

    [Theory]
    [InlineData("steps[0].http.url", "job.parameters.url")]
    [InlineData("steps[0].http.headers", "job.parameters.headers")]
    [InlineData("steps[0].http.expectStatus[3]", "job.parameters.expect_status")]
    [InlineData("steps[0].execution.targetTimeout", "job.parameters.timeout")]
    [InlineData("steps[0].script.source", "job.parameters.script")]
    [InlineData("steps[0].targets.parameter", "job.parameters.host")]
    [InlineData("steps[0].name", "job.parameters")]
    [InlineData("name", "job.parameters")]
    public void FieldOf_APlanPath_IsTheJobParameterThatFedIt(string path, string field)
    {
        var plan = BuiltinJobs.Build(BuiltinJobs.Script, new Dictionary<string, string> { ["host"] = "h-1", ["script"] = "true" }).Plan!;

        Assert.Equal(field, BuiltinJobs.FieldOf(path, plan, new Dictionary<string, string>()));
    }
}
