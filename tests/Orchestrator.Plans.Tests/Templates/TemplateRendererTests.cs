using Orchestrator.Plans.Templates;

namespace Orchestrator.Plans.Tests.Templates;

public sealed class TemplateRendererTests
{
    private static readonly Dictionary<string, string> Values = new()
    {
        ["params.version"] = "1.2.3",
        ["host"] = "web-1",
        ["steps.build.outputs.artifact"] = "app.tar.gz",
    };

    private static string? Resolve(string expression) => Values.GetValueOrDefault(expression);

    [Theory]
    [InlineData("deploy ${{ params.version }} to ${{host}}", "deploy 1.2.3 to web-1")]
    [InlineData("${{   steps.build.outputs.artifact   }}", "app.tar.gz")]
    [InlineData("no placeholders", "no placeholders")]
    [InlineData("", "")]
    [InlineData("$${{ params.version }}", "${{ params.version }}")]
    [InlineData("cost: $5 {{x}} }}", "cost: $5 {{x}} }}")]
    [InlineData("${{ host }}${{ host }}", "web-1web-1")]
    [InlineData("a $${{ b ${{ host }}", "a ${{ b web-1")]
    public void Render_Template_ReplacesPlaceholders(string template, string expected) =>
        Assert.Equal(expected, TemplateRenderer.Render(template, Resolve));

    [Fact]
    public void Render_ValueContainingPlaceholder_IsNotRenderedAgain() =>
        Assert.Equal("${{ host }}", TemplateRenderer.Render("${{ x }}", e => e == "x" ? "${{ host }}" : "web-1"));

    [Fact]
    public void Render_UnknownExpression_ThrowsNamingIt()
    {
        var error = Assert.Throws<FormatException>(() => TemplateRenderer.Render("${{ params.nope }}", Resolve));

        Assert.Contains("params.nope", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("echo ${{ params.version", 6)]
    [InlineData("${{ host }} ${{", 13)]
    public void Render_Unterminated_ThrowsWithPosition(string template, int position)
    {
        var error = Assert.Throws<FormatException>(() => TemplateRenderer.Render(template, Resolve));

        Assert.Contains($"position {position}", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void References_EmptyPlaceholder_Throws() =>
        Assert.Throws<FormatException>(() => TemplateRenderer.References("a ${{  }} b"));

    [Fact]
    public void References_Template_ExpressionsInOrderWithoutEscapes() =>
        Assert.Equal(
            ["params.a", "host", "params.a"],
            TemplateRenderer.References("${{params.a}} $${{ params.escaped }} ${{ host }} ${{ params.a }}"));

    [Fact]
    public void References_Unterminated_Throws() =>
        Assert.Throws<FormatException>(() => TemplateRenderer.References("${{ params.a }"));
}
