using Orchestrator.Plans.Model;
using Orchestrator.Plans.Parsing;
using Orchestrator.Plans.Serialization;
using Orchestrator.Plans.Tests.Support;

namespace Orchestrator.Plans.Tests.Examples;

/// <summary>The plans under <c>examples/</c> are documentation; documentation that does not parse misleads.</summary>
public sealed class ExamplePlansTests
{
    private static readonly string ExamplesDirectory = RepositoryFiles.Path("examples");

    public static TheoryData<string> ExampleFiles()
    {
        var files = new TheoryData<string>();
        foreach (var file in Directory.EnumerateFiles(ExamplesDirectory).Where(f => f.EndsWith(".yaml", StringComparison.Ordinal) || f.EndsWith(".json", StringComparison.Ordinal)).Order(StringComparer.Ordinal))
        {
            files.Add(Path.GetFileName(file));
        }

        return files;
    }

    [Theory]
    [MemberData(nameof(ExampleFiles))]
    public void Parse_Example_Valid(string file)
    {
        var result = Parse(file);

        Assert.True(result.Ok, string.Join("\n", result.Errors));
    }

    [Theory]
    [MemberData(nameof(ExampleFiles))]
    public void Serialize_Example_ParsesBackEqual(string file)
    {
        var plan = Parse(file).Plan!;

        StructuralEquality.AssertEqual(plan, PlanParser.ParseYaml(PlanSerializer.ToYaml(plan)).Plan);
        StructuralEquality.AssertEqual(plan, PlanParser.ParseJson(PlanSerializer.ToJson(plan)).Plan);
    }

    [Fact]
    public void ExampleFiles_TheDocumentedOnes_Present() =>
        Assert.All(
            ["hello.yaml", "hello.json", "deploy.yaml", "rolling.yaml", "approval.yaml"],
            file => Assert.True(File.Exists(Path.Combine(ExamplesDirectory, file)), $"examples/{file} is missing"));

    [Fact]
    public void Deploy_ThirdStep_ReadsTheFirstStepsOutput()
    {
        var plan = Parse("deploy.yaml").Plan!;

        Assert.Equal([StepKind.Script, StepKind.FileDistribution, StepKind.Script], plan.Steps.Select(s => s.Kind));
        Assert.Contains("::set-output", plan.Steps[0].Script!.Source, StringComparison.Ordinal);
        Assert.Contains("${{ steps.resolve.outputs.", plan.Steps[2].Script!.Env["EXPECTED_SHA256"], StringComparison.Ordinal);
    }

    [Fact]
    public void Rolling_Expression_SplitsAHundredHosts() =>
        Assert.Equal(
            [1, 10, 15, 30, 44],
            Orchestrator.Plans.Rolling.RollingExpression.Parse(Parse("rolling.yaml").Plan!.Steps[0].Execution.Rolling!.Expression).BatchSizes(100));

    private static PlanParseResult Parse(string file)
    {
        var path = Path.Combine(ExamplesDirectory, file);
        var text = File.ReadAllText(path);
        var options = new PlanParseOptions { BaseDirectory = ExamplesDirectory };
        return file.EndsWith(".json", StringComparison.Ordinal) ? PlanParser.ParseJson(text, options) : PlanParser.ParseYaml(text, options);
    }
}
