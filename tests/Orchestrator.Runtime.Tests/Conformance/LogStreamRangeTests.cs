using Orchestrator.Runtime.Logs;

namespace Orchestrator.Runtime.Tests.Conformance;

/// <summary>The upper bound of a stream prefix's range, in code point order (the stores' bytewise UTF-8 order).</summary>
public sealed class LogStreamRangeTests
{
    [Theory]
    [InlineData("a:0:web-1#", "a:0:web-1$")]
    [InlineData("z", "{")]
    [InlineData("a\uD7FF", "a\uE000")] // the surrogate range is not code points
    [InlineData("a\uFFFF", "a\U00010000")]
    [InlineData("a\U0010FFFF", "b")]
    [InlineData("\U0010FFFF\U0010FFFF", null)]
    public void UpperBound_OfAPrefix_IsTheLeastStringAboveAllItsExtensions(string prefix, string? expected) =>
        Assert.Equal(expected, LogStreamRange.UpperBound(prefix));
}
