using Orchestrator.Plans.Model;
using Orchestrator.Plans.Parsing;
using Orchestrator.Plans.Serialization;
using Orchestrator.Plans.Validation;

namespace Orchestrator.Plans.Tests.Parsing;

/// <summary>The plan document's <c>namespace</c> field and the namespace name rule.</summary>
public sealed class PlanNamespaceTests
{
    private const string Steps = "steps:\n  - name: s\n    targets: {hosts: [h]}\n    script: echo\n";

    [Fact]
    public void ParseYaml_WithNamespace_PlanHasIt_AndYamlWritesItBack()
    {
        var plan = PlanParser.ParseYaml("name: p\nnamespace: team-a\n" + Steps).Plan!;

        var again = PlanParser.ParseYaml(PlanSerializer.ToYaml(plan)).Plan!;

        Assert.Equal("team-a", plan.Namespace);
        Assert.Equal("team-a", again.Namespace);
        Assert.Contains("namespace: team-a", PlanSerializer.ToYaml(plan), StringComparison.Ordinal);
    }

    [Fact]
    public void ParseJson_WithNamespace_PlanHasIt()
    {
        var result = PlanParser.Parse("""{"name": "p", "namespace": "b2", "steps": [{"name": "s", "targets": {"hosts": ["h"]}, "script": "echo"}]}""", "application/json");

        Assert.True(result.Ok, string.Join("; ", result.Errors.Select(e => e.Message)));
        Assert.Equal("b2", result.Plan!.Namespace);
    }

    [Fact]
    public void ParseYaml_WithoutNamespace_Null_AndYamlLeavesItOut()
    {
        var plan = PlanParser.ParseYaml("name: p\n" + Steps).Plan!;

        Assert.Null(plan.Namespace);
        Assert.DoesNotContain("namespace", PlanSerializer.ToYaml(plan), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("Team")]
    [InlineData("-a")]
    [InlineData("a-")]
    [InlineData("a_b")]
    [InlineData("\"*\"")]
    [InlineData("\"\"")]
    public void ParseYaml_NamespaceNotAName_ErrorAtItsValue(string value)
    {
        var result = PlanParser.ParseYaml($"name: p\nnamespace: {value}\n" + Steps);

        var error = Assert.Single(result.Errors);
        Assert.Equal("namespace", error.Path);
        Assert.Equal((2, 12), (error.Line, error.Column));
        Assert.Contains("is not a namespace", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_DefinitionWithABadNamespace_NamesTheField()
    {
        var plan = PlanParser.ParseYaml("name: p\n" + Steps).Plan! with { Namespace = "Bad" };

        Assert.Contains(PlanValidator.Validate(plan), e => e.Path == "namespace");
    }

    [Theory]
    [InlineData("default", true)]
    [InlineData("a", true)]
    [InlineData("team-a-2", true)]
    [InlineData("0", true)]
    [InlineData("", false)]
    [InlineData(null, false)]
    [InlineData("*", false)]
    [InlineData("A", false)]
    [InlineData("a.b", false)]
    [InlineData("-a", false)]
    [InlineData("a-", false)]
    public void Namespaces_IsValid_DnsLabels(string? name, bool valid) => Assert.Equal(valid, Namespaces.IsValid(name));

    [Fact]
    public void Namespaces_IsValid_AtMost63Characters()
    {
        Assert.True(Namespaces.IsValid(new string('a', 63)));
        Assert.False(Namespaces.IsValid(new string('a', 64)));
    }

    [Theory]
    [InlineData(null, "default")]
    [InlineData("", "default")]
    [InlineData("b", "b")]
    public void Namespaces_Of_StoredWithoutOneIsDefault(string? stored, string expected) => Assert.Equal(expected, Namespaces.Of(stored));
}
