using System.Globalization;
using System.Reflection;
using System.Text.RegularExpressions;
using Orchestrator.Plans.Parsing;
using Orchestrator.Plans.Tests.Support;
using Orchestrator.Plans.Validation;

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

    [Fact]
    public void LimitsSection_StatesEveryLimitOfPlanLimits()
    {
        var start = Document.IndexOf("\n## Limits\n", StringComparison.Ordinal);
        Assert.True(start >= 0, "docs/plan-format.md has a Limits section");
        var end = Document.IndexOf("\n## ", start + 1, StringComparison.Ordinal);
        var section = Document[start..end];
        var missing = new List<string>();
        foreach (var field in typeof(PlanLimits).GetFields(BindingFlags.Public | BindingFlags.Static).Where(f => f.Name != nameof(PlanLimits.MaxQuotedLength)))
        {
            var text = field.GetValue(null) switch
            {
                int n => n.ToString("N0", CultureInfo.InvariantCulture),
                double d => d.ToString(CultureInfo.InvariantCulture),
                TimeSpan t => $"`{PlanLimits.Describe(t)}`",
                var other => throw new InvalidOperationException($"{field.Name}: {other}"),
            };
            if (!section.Contains(text, StringComparison.Ordinal) && !section.Contains(text.Replace(",", "", StringComparison.Ordinal), StringComparison.Ordinal))
            {
                missing.Add($"{field.Name} ({text})");
            }
        }

        Assert.True(missing.Count == 0, "not in the Limits section: " + string.Join(", ", missing));
    }

    [GeneratedRegex(@"^```(?<lang>\w+)\n(?<body>.*?)^```", RegexOptions.Multiline | RegexOptions.Singleline)]
    private static partial Regex FencedBlock();
}
