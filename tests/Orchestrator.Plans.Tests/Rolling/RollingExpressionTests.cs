using Orchestrator.Plans.Rolling;

namespace Orchestrator.Plans.Tests.Rolling;

public sealed class RollingExpressionTests
{
    [Theory]
    [InlineData("1", 3, new[] { 1, 1, 1 })]
    [InlineData("2", 5, new[] { 2, 2, 1 })]
    [InlineData("1 2", 7, new[] { 1, 2, 2, 2 })]
    [InlineData("10%", 20, new[] { 2, 2, 2, 2, 2, 2, 2, 2, 2, 2 })]
    [InlineData("10%", 15, new[] { 2, 2, 2, 2, 2, 2, 2, 1 })]
    [InlineData("1 +1", 10, new[] { 1, 2, 3, 4 })]
    [InlineData("1 *2", 20, new[] { 1, 2, 4, 8, 5 })]
    [InlineData("1 10% +5 *2", 100, new[] { 1, 10, 15, 30, 44 })]
    [InlineData("100%", 7, new[] { 7 })]
    [InlineData("50 100%", 10, new[] { 10 })]
    [InlineData("1%", 3, new[] { 1, 1, 1 })]
    [InlineData("  1   10%  ", 10, new[] { 1, 1, 1, 1, 1, 1, 1, 1, 1, 1 })]
    public void BatchSizes_Expression_SplitsTargetsAsBkJobDoes(string expression, int total, int[] expected) =>
        Assert.Equal(expected, RollingExpression.Parse(expression).BatchSizes(total));

    [Theory]
    [InlineData("1 +2 *3 10%", 57)]
    [InlineData("3", 1)]
    [InlineData("1 *1000", 1000)]
    [InlineData("33%", 1000)]
    public void BatchSizes_AnyTotal_EachAtLeastOneAndSumToTotal(string expression, int total)
    {
        var sizes = RollingExpression.Parse(expression).BatchSizes(total);

        Assert.All(sizes, size => Assert.InRange(size, 1, total));
        Assert.Equal(total, sizes.Sum());
    }

    [Fact]
    public void BatchSizes_ZeroTargets_NoBatches() =>
        Assert.Empty(RollingExpression.Parse("1 10%").BatchSizes(0));

    [Fact]
    public void BatchSizes_NegativeTotal_Throws() =>
        Assert.Throws<ArgumentOutOfRangeException>(() => RollingExpression.Parse("1").BatchSizes(-1));

    [Fact]
    public void BatchSizes_MultiplyPastIntRange_CapsAtRemaining()
    {
        var sizes = RollingExpression.Parse("1000000 *1000000").BatchSizes(int.MaxValue);

        Assert.Equal([1_000_000, int.MaxValue - 1_000_000], sizes);
    }

    [Theory]
    [InlineData("0", "'0'")]
    [InlineData("1 0%", "'0%'")]
    [InlineData("-1", "'-1'")]
    [InlineData("101%", "'101%'")]
    [InlineData("+2", "'+2'")]
    [InlineData("*2 1", "'*2'")]
    [InlineData("1 abc", "'abc'")]
    [InlineData("1 +", "'+'")]
    [InlineData("1 %", "'%'")]
    [InlineData("1.5", "'1.5'")]
    [InlineData("1 +0", "'+0'")]
    [InlineData("99999999999", "'99999999999'")]
    public void Parse_BadPart_ThrowsFormatExceptionNamingThePart(string expression, string part)
    {
        var error = Assert.Throws<FormatException>(() => RollingExpression.Parse(expression));

        Assert.Contains(part, error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    public void Parse_Empty_ThrowsFormatException(string expression) =>
        Assert.Throws<FormatException>(() => RollingExpression.Parse(expression));

    [Fact]
    public void TryParse_BadExpression_FalseWithError()
    {
        Assert.False(RollingExpression.TryParse("1 x%", out var parsed, out var error));
        Assert.Null(parsed);
        Assert.Contains("'x%'", error, StringComparison.Ordinal);
    }

    [Fact]
    public void TryParse_GoodExpression_TrueWithParts()
    {
        Assert.True(RollingExpression.TryParse("1 10% +5 *2", out var parsed, out var error));
        Assert.Null(error);
        Assert.Equal(
            [new(RollingPartKind.Count, 1), new(RollingPartKind.Percent, 10), new(RollingPartKind.Add, 5), new RollingPart(RollingPartKind.Multiply, 2)],
            parsed.Parts);
        Assert.Equal("1 10% +5 *2", parsed.ToString());
    }
}
