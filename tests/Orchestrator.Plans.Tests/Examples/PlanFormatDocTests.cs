using System.Text.RegularExpressions;
using Orchestrator.Plans.Parsing;
using Orchestrator.Plans.Tests.Support;

namespace Orchestrator.Plans.Tests.Examples;

/// <summary>The complete plans shown in <c>docs/plan-format.md</c> (fenced blocks starting with <c>name:</c> or <c>{</c>) parse.</summary>
public sealed partial class PlanFormatDocTests
{
    private static readonly string Document = File.ReadAllText(RepositoryFiles.Path("docs", "plan-format.md"));

    public static TheoryData<int, string, string> FencedPlans()
    {
        var plans = new TheoryData<int, string, string>();
        foreach (Match block in FencedBlock().Matches(Document))
        {
            var language = block.Groups["lang"].Value;
            var body = block.Groups["body"].Value;
            var line = Document[..block.Index].Count(c => c == '\n') + 1;
            if ((language == "yaml" && body.StartsWith("name:", StringComparison.Ordinal)) || (language == "json" && body.StartsWith('{')))
            {
                plans.Add(line, language, body);
            }
        }

        return plans;
    }

    [Theory]
    [MemberData(nameof(FencedPlans))]
    public void FencedPlan_AtLine_Parses(int line, string language, string body)
    {
        var result = language == "json" ? PlanParser.ParseJson(body) : PlanParser.ParseYaml(body);

        Assert.True(result.Ok, $"docs/plan-format.md line {line}:\n" + string.Join("\n", result.Errors));
    }

    [Fact]
    public void FencedPlans_FullExamplesInBothFormats_Present()
    {
        var plans = FencedPlans().Select(row => (string)row[1]).ToList();

        Assert.Contains("json", plans);
        Assert.True(plans.Count(l => l == "yaml") >= 2, "the introduction's and the full YAML example");
    }

    [GeneratedRegex(@"^```(?<lang>\w+)\n(?<body>.*?)^```", RegexOptions.Multiline | RegexOptions.Singleline)]
    private static partial Regex FencedBlock();
}
