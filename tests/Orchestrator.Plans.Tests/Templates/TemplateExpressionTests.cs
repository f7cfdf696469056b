using Orchestrator.Plans.Templates;

namespace Orchestrator.Plans.Tests.Templates;

public sealed class TemplateExpressionTests
{
    [Theory]
    [InlineData("params.version", TemplateExpressionKind.Parameter, null, "version")]
    [InlineData("steps.build-1.outputs.artifact_path", TemplateExpressionKind.StepOutput, "build-1", "artifact_path")]
    [InlineData("steps.build.succeededHosts", TemplateExpressionKind.StepSucceededHosts, "build", null)]
    [InlineData("steps.build.failedHosts", TemplateExpressionKind.StepFailedHosts, "build", null)]
    [InlineData("previous.succeededHosts", TemplateExpressionKind.StepSucceededHosts, "previous", null)]
    [InlineData("previous.failedHosts", TemplateExpressionKind.StepFailedHosts, "previous", null)]
    [InlineData("task.id", TemplateExpressionKind.TaskId, null, null)]
    [InlineData("step.name", TemplateExpressionKind.StepName, null, null)]
    [InlineData("attempt", TemplateExpressionKind.Attempt, null, null)]
    [InlineData(" host ", TemplateExpressionKind.Host, null, null)]
    public void Parse_KnownExpression_KindStepAndName(string text, TemplateExpressionKind kind, string? step, string? name)
    {
        var expression = TemplateExpression.Parse(text);

        Assert.Equal(new TemplateExpression(kind, step, name), expression);
        Assert.Equal(text.Trim(), expression.ToString());
    }

    [Theory]
    [InlineData("params")]
    [InlineData("params.")]
    [InlineData("params.a.b")]
    [InlineData("steps.build.outputs")]
    [InlineData("steps.build.hosts")]
    [InlineData("previous.outputs.x")]
    [InlineData("env.HOME")]
    [InlineData("Host")]
    [InlineData("params.a b")]
    public void TryParse_UnknownExpression_FalseListingAllowed(string text)
    {
        Assert.False(TemplateExpression.TryParse(text, out _, out var error));
        Assert.Contains("params.NAME", error, StringComparison.Ordinal);
    }

    [Fact]
    public void IsPrevious_PreviousHosts_True() =>
        Assert.True(TemplateExpression.Parse("previous.failedHosts").IsPrevious);
}
