using Orchestrator.Plans.Model;
using Orchestrator.Plans.Parsing;
using Orchestrator.Plans.Serialization;
using Orchestrator.Plans.Tests.Support;

namespace Orchestrator.Plans.Tests.Serialization;

public sealed class PlanSerializerTests
{
    public static TheoryData<string> PlanNames() => ["minimal", "everything", "three kinds"];

    private static PlanDefinition Sample(string name) => name switch
    {
        "minimal" => SamplePlans.Minimal(),
        "everything" => SamplePlans.Everything(),
        _ => SamplePlans.WithSteps(SamplePlans.ScriptStep("a"), SamplePlans.FileStep("b"), SamplePlans.ApprovalStep("c")),
    };

    [Theory]
    [MemberData(nameof(PlanNames))]
    public void ToYaml_ParsedBack_EqualPlan(string name)
    {
        var plan = Sample(name);
        var yaml = PlanSerializer.ToYaml(plan);

        var result = PlanParser.ParseYaml(yaml);

        Assert.True(result.Ok, string.Join("\n", result.Errors) + "\n" + yaml);
        StructuralEquality.AssertEqual(plan, result.Plan);
    }

    [Theory]
    [MemberData(nameof(PlanNames))]
    public void ToJson_ParsedBack_EqualPlan(string name)
    {
        var plan = Sample(name);
        var json = PlanSerializer.ToJson(plan);

        var result = PlanParser.ParseJson(json);

        Assert.True(result.Ok, string.Join("\n", result.Errors) + "\n" + json);
        StructuralEquality.AssertEqual(plan, result.Plan);
    }

    [Theory]
    [MemberData(nameof(PlanNames))]
    public void ToYaml_Twice_SameText(string name)
    {
        var yaml = PlanSerializer.ToYaml(Sample(name));

        Assert.Equal(yaml, PlanSerializer.ToYaml(PlanParser.ParseYaml(yaml).Plan!));
    }

    [Fact]
    public void ToYaml_Minimal_DefaultsLeftOut() =>
        Assert.Equal(
            """
            name: test plan
            steps:
            - name: only
              targets:
                hosts: [web-1]
              script:
                source: echo hi

            """.ReplaceLineEndings("\n"),
            PlanSerializer.ToYaml(SamplePlans.Minimal()));

    [Fact]
    public void ToJson_Minimal_DefaultsLeftOut() =>
        Assert.Equal(
            """
            {
              "name": "test plan",
              "steps": [
                {
                  "name": "only",
                  "targets": {
                    "hosts": [
                      "web-1"
                    ]
                  },
                  "script": {
                    "source": "echo hi"
                  }
                }
              ]
            }

            """.ReplaceLineEndings("\n"),
            PlanSerializer.ToJson(SamplePlans.Minimal()));

    [Fact]
    public void ToYaml_Everything_DocumentedSpellings()
    {
        var yaml = PlanSerializer.ToYaml(SamplePlans.Everything());

        Assert.Contains("targetTimeout: 1h30m", yaml, StringComparison.Ordinal);
        Assert.Contains("deadline: 1s500ms", yaml, StringComparison.Ordinal);
        Assert.Contains("maxBackoff: 24h", yaml, StringComparison.Ordinal);
        Assert.Contains("mode: confirm", yaml, StringComparison.Ordinal);
        Assert.Contains("action: failStep", yaml, StringComparison.Ordinal);
        Assert.Contains("type: hostList", yaml, StringComparison.Ordinal);
        Assert.Contains("failureBudget: 10%", yaml, StringComparison.Ordinal);
        Assert.Contains("successPolicy: 3", yaml, StringComparison.Ordinal);
        Assert.Contains("outcome: failed", yaml, StringComparison.Ordinal);
        Assert.Contains("mode: \"0644\"", yaml, StringComparison.Ordinal);
        Assert.Contains("default: \"null\"", yaml, StringComparison.Ordinal);
        Assert.Contains("source: |", yaml, StringComparison.Ordinal);
        Assert.Contains("codes: [3, 4]", yaml, StringComparison.Ordinal);
        Assert.Contains("approvers: [alice, bob@example.com]", yaml, StringComparison.Ordinal);
        Assert.DoesNotContain("kind:", yaml, StringComparison.Ordinal);
        Assert.DoesNotContain("interpreter: sh", yaml, StringComparison.Ordinal);
    }

    [Fact]
    public void ToJson_Quantities_CountAsNumberPercentAsString()
    {
        var json = PlanSerializer.ToJson(SamplePlans.Everything());

        Assert.Contains("\"failureBudget\": \"10%\"", json, StringComparison.Ordinal);
        Assert.Contains("\"successPolicy\": 3", json, StringComparison.Ordinal);
        Assert.Contains("\"factor\": 1.5", json, StringComparison.Ordinal);
        Assert.Contains("\"continueOnError\": true", json, StringComparison.Ordinal);
    }

    [Fact]
    public void ToYaml_ListItemsWithFlowIndicators_ParsedBackEqual()
    {
        var plan = SamplePlans.WithSteps(SamplePlans.ScriptStep("a") with
        {
            Script = new ScriptSpec { Source = "echo", Args = ["a,b", "[x]", "${{ host }}", "#c", "k: v", "'q'", "\"d\"", "{}", "- x", "*"] },
        });

        var result = PlanParser.ParseYaml(PlanSerializer.ToYaml(plan));

        Assert.True(result.Ok, string.Join("\n", result.Errors));
        StructuralEquality.AssertEqual(plan, result.Plan);
    }

    [Fact]
    public void ToYaml_KindNotImpliedBySpecs_Written()
    {
        var plan = SamplePlans.WithSteps(SamplePlans.ScriptStep("a") with { Kind = StepKind.Approval });

        Assert.Contains("kind: approval", PlanSerializer.ToYaml(plan), StringComparison.Ordinal);
    }
}
