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

    /// <summary>Text at and past every edge: TimeSpan's range, a decimal's, the pattern's, ISO 8601's.</summary>
    public static TheoryData<string, bool> EdgeTexts() => new()
    {
        { "10675199d2h48m5.4775807s", true }, // TimeSpan.MaxValue exactly
        { "10675199d2h48m5.4775808s", false }, // one tick more
        { "922337203685477.5807ms", true },
        { "922337203685477.9ms", false }, // under the old bound in milliseconds, past long.MaxValue in ticks: threw OverflowException
        { "922337203685478ms", false },
        { "9999999999999999d", false },
        { "3000000d", true },
        { "10000000000000000ms", false },
        { "0.00000000000000000000000001s", true },
        { "1." + new string('9', 40) + "s", true },
        { new string('9', 28) + "ms", false },
        { new string('9', 300) + "ms", false },
        { string.Concat(Enumerable.Repeat("1d", 100)), true },
        { string.Concat(Enumerable.Repeat("1ms", 1000)), false }, // longer than any duration is written
        { string.Concat(Enumerable.Repeat("9999999d", 20)), false },
        { "P10675199DT2H48M5.4775807S", true },
        { "P10675199DT2H48M5.4775808S", false },
        { "-P10675199DT2H48M5.4775808S", true }, // TimeSpan.MinValue
        { "-P10675199DT2H48M5.4775809S", false },
        { "P99999999999999999999D", false },
        { "PT99999999999999999999H", false },
        { "P29300Y", false },
        { "P1Y", true },
        { "P-1D", false },
        { "PT1.99999999999999999999S", true },
        { "p1dt1h", true },
        { "--PT1S", false },
        { "-", false },
        { "\u0000", false },
        { "1s\u0000", false },
        { "\uFF11s", false }, // a full-width digit
        { "\u0663s", false }, // an Arabic-Indic digit
        { "1.s", false },
        { ".5s", false },
        { "1..5s", false },
        { "1e308s", false },
        { "NaNs", false },
        { "Infinitys", false },
        { "1 s", false },
        { "\uD83D\uDE00", false },
    };

    [Theory]
    [MemberData(nameof(EdgeTexts))]
    public void TryParse_EdgeText_AnswersWithoutThrowing(string text, bool parses)
    {
        var parsed = DurationFormat.TryParse(text, out var value);

        Assert.Equal(parses, parsed);
        if (parsed)
        {
            Assert.True(DurationFormat.TryParse(DurationFormat.Format(value), out var back));
            Assert.Equal(value, back);
        }
    }

    [Fact]
    public void TryParse_RandomText_NeverThrows_AndWhatParsesFormatsBack()
    {
        const string alphabet = "0123456789.msdhPTDHMSYWpt-+ e:\u0000";
        var random = new Random(20261201);
        var parsed = 0;
        for (var i = 0; i < 50_000; i++)
        {
            var text = new string([.. Enumerable.Range(0, random.Next(0, 32)).Select(_ => alphabet[random.Next(alphabet.Length)])]);

            if (DurationFormat.TryParse(text, out var value))
            {
                parsed++;
                Assert.True(DurationFormat.TryParse(DurationFormat.Format(value), out var back), $"'{text}' read as {value}, written as '{DurationFormat.Format(value)}'");
                Assert.Equal(value, back);
            }
        }

        Assert.True(parsed > 0, "the alphabet makes some durations");
    }

    [Theory]
    [InlineData(long.MaxValue)]
    [InlineData(long.MinValue)]
    [InlineData(long.MinValue + 1)]
    [InlineData(-1)]
    public void Format_ExtremeDurations_NeverThrows(long ticks)
    {
        var text = DurationFormat.Format(TimeSpan.FromTicks(ticks));

        Assert.NotEmpty(text);
    }
}
