using Orchestrator.Api.Common;

namespace Orchestrator.Engine.Tests.ApiCommon;

public sealed class IdsTests
{
    [Theory]
    [InlineData("a", true, true)]
    [InlineData("deploy-web_2.1", true, true)]
    [InlineData("0abc", true, true)]
    [InlineData(".", false, false)]
    [InlineData("..", false, false)]
    [InlineData("...", false, false)]
    [InlineData("-a", true, false)]
    [InlineData("_template", true, false)]
    [InlineData(".a", true, false)]
    [InlineData("a/b", false, false)]
    [InlineData("a:b", false, false)]
    [InlineData("a b", false, false)]
    [InlineData("a\0", false, false)]
    [InlineData("café", false, false)]
    [InlineData("", false, false)]
    public void IsValid_TheDocumentedAlphabet_NewIdsStartWithALetterOrDigit(string id, bool addresses, bool creates)
    {
        Assert.Equal(addresses, Ids.IsValid(id));
        Assert.Equal(creates, Ids.IsValidNew(id));
        Assert.Equal(addresses, Ids.Check("id", id) is null);
        Assert.Equal(creates, Ids.CheckNew("id", id) is null);
    }

    [Fact]
    public void IsValid_Length_IsAtMost128()
    {
        Assert.True(Ids.IsValid(new string('a', 128)));
        Assert.False(Ids.IsValid(new string('a', 129)));
        Assert.True(Ids.IsValidNew(new string('a', 128)));
        Assert.False(Ids.IsValidNew(new string('a', 129)));
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
    [InlineData("-0")]
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
