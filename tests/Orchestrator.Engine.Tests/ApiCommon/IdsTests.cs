using Orchestrator.Api.Common;

namespace Orchestrator.Engine.Tests.ApiCommon;

public sealed class IdsTests
{
    [Theory]
    [InlineData("a", true)]
    [InlineData("deploy-web_2.1", true)]
    [InlineData("0abc", true)]
    [InlineData(".", false)]
    [InlineData("..", false)]
    [InlineData("...", false)]
    [InlineData("-a", false)]
    [InlineData("_a", false)]
    [InlineData(".a", false)]
    [InlineData("a/b", false)]
    [InlineData("a:b", false)]
    [InlineData("a b", false)]
    [InlineData("a\0", false)]
    [InlineData("café", false)]
    [InlineData("", false)]
    public void IsValid_TheDocumentedAlphabet_AndNothingElse(string id, bool valid)
    {
        Assert.Equal(valid, Ids.IsValid(id));
    }

    [Fact]
    public void IsValid_Length_IsAtMost128()
    {
        Assert.True(Ids.IsValid(new string('a', 128)));
        Assert.False(Ids.IsValid(new string('a', 129)));
    }

    [Theory]
    [InlineData("0", 0)]
    [InlineData("12", 12)]
    [InlineData("2147483647", int.MaxValue)]
    public void CheckStep_AWholeNumberFromZero_IsTheIndex(string text, int expected)
    {
        Assert.Null(Ids.CheckStep("step", text, out var step));
        Assert.Equal(expected, step);
    }

    [Theory]
    [InlineData("-1")]
    [InlineData("2147483648")]
    [InlineData("x")]
    [InlineData("+1")]
    [InlineData("1.0")]
    public void CheckStep_AnythingElse_IsA400(string text)
    {
        Assert.NotNull(Ids.CheckStep("step", text, out _));
    }

    [Fact]
    public void Quote_ControlCharactersAndLongValues_AreShownSafely()
    {
        Assert.Equal("'a\\u0000b'", Quote.Of("a\0b"));
        var shown = Quote.Of(new string('x', 10_000));
        Assert.True(shown.Length < 100, shown);
        Assert.Contains("10000 characters", shown, StringComparison.Ordinal);
    }
}
