using Orchestrator.Plans.Parsing;

namespace Orchestrator.Plans.Tests.Parsing;

public sealed class DurationFormatTests
{
    [Theory]
    [InlineData("500ms", 0, 0, 0, 500)]
    [InlineData("10s", 0, 0, 10, 0)]
    [InlineData("5m", 0, 5, 0, 0)]
    [InlineData("1h30m", 1, 30, 0, 0)]
    [InlineData("2d", 48, 0, 0, 0)]
    [InlineData("1h1m1s1ms", 1, 1, 1, 1)]
    [InlineData("0.5h", 0, 30, 0, 0)]
    [InlineData("PT10S", 0, 0, 10, 0)]
    [InlineData("PT1H30M", 1, 30, 0, 0)]
    [InlineData(" 10s ", 0, 0, 10, 0)]
    public void TryParse_Valid_Duration(string text, int hours, int minutes, int seconds, int milliseconds)
    {
        Assert.True(DurationFormat.TryParse(text, out var value));
        Assert.Equal(new TimeSpan(0, hours, minutes, seconds, milliseconds), value);
    }

    [Theory]
    [InlineData("")]
    [InlineData("10")]
    [InlineData("10 s")]
    [InlineData("-5s")]
    [InlineData("5x")]
    [InlineData("s")]
    [InlineData("P")]
    [InlineData("PT")]
    [InlineData("1e3s")]
    [InlineData("100000000000000000000000d")] // too many digits for a decimal
    [InlineData("99999999999999999999d")] // fits a decimal, overflows the sum
    [InlineData("10675200d10675200d")] // each fits, the sum does not
    [InlineData(null)]
    public void TryParse_Invalid_False(string? text) =>
        Assert.False(DurationFormat.TryParse(text, out _));

    [Theory]
    [InlineData(0, "0s")]
    [InlineData(500, "500ms")]
    [InlineData(10_000, "10s")]
    [InlineData(5_400_000, "1h30m")]
    [InlineData(90_061_001, "25h1m1s1ms")]
    public void Format_WholeMilliseconds_ShortForm(long milliseconds, string expected) =>
        Assert.Equal(expected, DurationFormat.Format(TimeSpan.FromMilliseconds(milliseconds)));

    [Theory]
    [InlineData(1)]
    [InlineData(-10_000_000)]
    [InlineData(12_345_678_901)]
    public void Format_AnyDuration_ParsesBackEqual(long ticks)
    {
        var value = TimeSpan.FromTicks(ticks);

        Assert.True(DurationFormat.TryParse(DurationFormat.Format(value), out var back));
        Assert.Equal(value, back);
    }
}
