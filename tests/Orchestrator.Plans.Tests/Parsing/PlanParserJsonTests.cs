using Orchestrator.Plans.Model;
using Orchestrator.Plans.Parsing;

namespace Orchestrator.Plans.Tests.Parsing;

public sealed class PlanParserJsonTests
{
    private const string Valid = """
        {
          "name": "hello",
          "steps": [
            {
              "name": "greet",
              "targets": { "hosts": ["web-1"] },
              "script": { "source": "echo \"hi\" \/ \u00e9\n", "args": ["1", 2] },
              "execution": { "failureBudget": "10%", "successPolicy": 2, "targetTimeout": "PT30S", "parallelism": 3 }
            }
          ]
        }
        """;

    [Fact]
    public void ParseJson_ValidPlan_ReadsEveryField()
    {
        var result = PlanParser.ParseJson(Valid);

        Assert.True(result.Ok, string.Join("\n", result.Errors));
        var step = result.Plan.Steps[0];
        Assert.Equal(StepKind.Script, step.Kind);
        Assert.Equal("echo \"hi\" / é\n", step.Script!.Source);
        Assert.Equal(["1", "2"], step.Script.Args);
        Assert.Equal(new Quantity(10, true), step.Execution.FailureBudget);
        Assert.Equal(new Quantity(2, false), step.Execution.SuccessPolicy);
        Assert.Equal(TimeSpan.FromSeconds(30), step.Execution.TargetTimeout);
        Assert.Equal(3, step.Execution.Parallelism);
    }

    [Fact]
    public void ParseJson_TabsAndCompactSpacing_Accepted()
    {
        var result = PlanParser.ParseJson("{\n\t\"name\":\"p\",\"steps\":[{\"name\":\"s\",\"targets\":{\"hosts\":[\"h\"]},\"script\":\"echo\"}]}");

        Assert.True(result.Ok, string.Join("\n", result.Errors));
    }

    [Fact]
    public void ParseJson_BadRollingExpression_ErrorAtTheValue()
    {
        var result = PlanParser.ParseJson("""
            {
              "name": "p",
              "steps": [
                {
                  "name": "a",
                  "targets": { "hosts": ["h"] },
                  "script": "echo",
                  "execution": {
                    "rolling": { "expression": "1 0%" }
                  }
                }
              ]
            }
            """);

        var error = Assert.Single(result.Errors);
        Assert.Equal("steps[0].execution.rolling.expression", error.Path);
        Assert.Equal((9, 36), (error.Line, error.Column));
        Assert.Contains("'0%'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ParseJson_UnknownField_ErrorAtTheKey()
    {
        var result = PlanParser.ParseJson("{\n  \"name\": \"p\",\n  \"stepz\": []\n}");

        Assert.Collection(
            result.Errors,
            e => Assert.Equal(("steps", 1, 1), (e.Path, e.Line, e.Column)),
            e =>
            {
                Assert.Equal(("stepz", 3, 3), (e.Path, e.Line, e.Column));
                Assert.Contains("Did you mean 'steps'?", e.Message, StringComparison.Ordinal);
            });
    }

    [Fact]
    public void ParseJson_WrongType_ErrorAtTheValue()
    {
        var result = PlanParser.ParseJson("{\"name\": \"p\", \"steps\": {\"a\": 1}}");

        var error = Assert.Single(result.Errors);
        Assert.Equal(("steps", 1, 24), (error.Path, error.Line, error.Column));
        Assert.Contains("Expected a list, found a mapping", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("{\n  \"name\": \"p\",,\n}", 2, 15)]
    [InlineData("{\n  \"name\": \"p\",\n}", 3, 1)]
    [InlineData("{\n  \"name\": 'p'\n}", 2, 11)]
    [InlineData("{\n  // comment\n  \"name\": \"p\"\n}", 2, 3)]
    [InlineData("{\n  \"name\": \"p\"", 2, 14)]
    [InlineData("{\n  \"náme\": \"p\" x\n}", 2, 15)]
    [InlineData("name: p\n", 1, 2)]
    public void ParseJson_SyntaxError_ErrorWithLineAndColumn(string json, int line, int column)
    {
        var result = PlanParser.ParseJson(json);

        var error = Assert.Single(result.Errors);
        Assert.Equal("", error.Path);
        Assert.Equal((line, column), (error.Line, error.Column));
        Assert.StartsWith("Not valid JSON: ", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("LineNumber", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ParseJson_DuplicateKey_ErrorAtTheSecond()
    {
        var result = PlanParser.ParseJson("{\n  \"name\": \"p\",\n  \"name\": \"q\"\n}");

        var error = Assert.Single(result.Errors);
        Assert.Equal((3, 3), (error.Line, error.Column));
        Assert.Contains("Duplicate key", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("application/json")]
    [InlineData("application/json; charset=utf-8")]
    [InlineData("application/vnd.orchestrator.plan+json")]
    [InlineData("text/json")]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("text/plain")]
    public void Parse_JsonContentTypeOrSniffed_ParsesJson(string? contentType)
    {
        var result = PlanParser.Parse(Valid, contentType);

        Assert.True(result.Ok, string.Join("\n", result.Errors));
    }

    [Fact]
    public void Parse_JsonContentTypeWithYaml_RefusedAsJson()
    {
        var result = PlanParser.Parse("name: p\n", "application/json");

        Assert.StartsWith("Not valid JSON", Assert.Single(result.Errors).Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("application/yaml")]
    [InlineData("application/x-yaml")]
    [InlineData("text/yaml; charset=utf-8")]
    [InlineData("application/vnd.orchestrator.plan+yaml")]
    [InlineData(null)]
    public void Parse_YamlContentTypeOrSniffed_ParsesYaml(string? contentType)
    {
        var result = PlanParser.Parse("name: p\nsteps:\n  - {name: s, targets: {hosts: [h]}, script: echo}\n", contentType);

        Assert.True(result.Ok, string.Join("\n", result.Errors));
    }

    [Fact]
    public void Parse_UnknownContentType_Error()
    {
        var result = PlanParser.Parse("<plan/>", "application/xml");

        Assert.Contains("application/xml", Assert.Single(result.Errors).Message, StringComparison.Ordinal);
    }
}
