using System.Text.RegularExpressions;
using Orchestrator.Plans.Model;
using Orchestrator.Plans.Parsing;
using Orchestrator.Plans.Tests.Support;

namespace Orchestrator.Plans.Tests.Examples;

/// <summary>The plans shown in <c>docs/containers.md</c> (fenced YAML blocks starting with <c>name:</c>) parse as container steps.</summary>
public sealed partial class ContainersDocTests
{
    private static readonly string Document = File.ReadAllText(RepositoryFiles.Path("docs", "containers.md"));

    public static TheoryData<int, string> FencedPlans()
    {
        var plans = new TheoryData<int, string>();
        foreach (Match block in FencedBlock().Matches(Document))
        {
            if (block.Groups["lang"].Value == "yaml" && block.Groups["body"].Value.StartsWith("name:", StringComparison.Ordinal))
            {
                plans.Add(Document[..block.Index].Count(c => c == '\n') + 1, block.Groups["body"].Value);
            }
        }

        return plans;
    }

    [Theory]
    [MemberData(nameof(FencedPlans))]
    public void FencedPlan_AtLine_ParsesAsContainerSteps(int line, string body)
    {
        var result = PlanParser.ParseYaml(body);

        Assert.True(result.Ok, $"docs/containers.md line {line}:\n" + string.Join("\n", result.Errors));
        Assert.All(result.Plan!.Steps, s => Assert.Equal(StepKind.Container, s.Kind));
    }

    [Fact]
    public void FencedPlans_ImageAndTemplateForms_BothShown()
    {
        var steps = FencedPlans().Select(row => PlanParser.ParseYaml((string)row[1]).Plan!).SelectMany(p => p.Steps).ToList();

        Assert.Contains(steps, s => s.Container!.Image is not null);
        Assert.Contains(steps, s => s.Container!.Template is not null);
    }

    [GeneratedRegex(@"^```(?<lang>\w+)\n(?<body>.*?)^```", RegexOptions.Multiline | RegexOptions.Singleline)]
    private static partial Regex FencedBlock();
}
