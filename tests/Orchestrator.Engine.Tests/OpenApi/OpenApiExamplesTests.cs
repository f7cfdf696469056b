using Orchestrator.Api.Plans;
using Orchestrator.Plans.Parsing;

namespace Orchestrator.Engine.Tests.OpenApi;

/// <summary>The examples the OpenAPI document shows are plans the API takes, not text that only looks like one.</summary>
public sealed class OpenApiExamplesTests
{
    [Theory]
    [InlineData(PlanRequests.YamlExample, "application/yaml")]
    [InlineData(PlanRequests.JsonExample, "application/json")]
    public void PlanExample_ParsedAsTheApiParsesABody_IsAValidPlan(string text, string contentType)
    {
        var parsed = PlanParser.Parse(text, contentType);

        Assert.True(parsed.Ok, string.Join("; ", parsed.Errors.Select(e => $"{e.Path} (line {e.Line}): {e.Message}")));
        Assert.Equal("deploy web", parsed.Plan!.Name);
    }
}
