using Orchestrator.Cli.Plans;
using YamlDotNet.Core;

namespace Orchestrator.Cli.Tests.Unit;

public sealed class PlanTextTests
{
    [Fact]
    public void Canonical_SamePlanWrittenDifferently_SameText()
    {
        var a = PlanText.Canonical("""
            # a comment
            name: hello
            steps:
              - {name: greet, script: "echo hi"}
            """);
        var b = PlanText.Canonical("""
            name: 'hello'
            steps:
            - name: greet
              script: echo hi
            """);

        Assert.Equal(a, b);
    }

    [Fact]
    public void Canonical_QuotedNumber_KeepsQuotes() =>
        Assert.Contains("\"42\"", PlanText.Canonical("value: '42'\nother: 42\n"));

    [Fact]
    public void Canonical_SyntaxError_ThrowsWithPosition()
    {
        var error = Assert.ThrowsAny<YamlException>(() => PlanText.Canonical("name: x\nsteps:\n  - hosts: [a\n"));

        Assert.Contains("plan.yaml line", PlanText.Describe(error, "plan.yaml"));
    }

    [Fact]
    public void Canonical_SecretDefault_MaskedAndReported()
    {
        var text = PlanText.Canonical("""
            name: x
            parameters:
              - name: password
                type: secret
                default: hunter2
              - name: user
                default: admin
            """, out var secretDefaults);

        Assert.True(secretDefaults);
        Assert.DoesNotContain("hunter2", text);
        Assert.Contains("default: '***'", text);
        Assert.Contains("default: admin", text);
    }

    [Fact]
    public void Canonical_SecretDefaultAlreadyMasked_NotReported()
    {
        PlanText.Canonical("parameters:\n  - name: p\n    type: secret\n    default: '***'\n", out var secretDefaults);

        Assert.False(secretDefaults);
    }
}
