using Orchestrator.Containers.Execution;

namespace Orchestrator.Containers.Tests.Execution;

public sealed class PodLogCursorTests
{
    [Theory]
    [InlineData("2026-12-05T12:00:01.5Z hello world", "2026-12-05T12:00:01.500000000Z", "hello world")]
    [InlineData("2026-12-05T12:00:01.123456789Z x", "2026-12-05T12:00:01.123456789Z", "x")]
    [InlineData("2026-12-05T12:00:01Z ", "2026-12-05T12:00:01.000000000Z", "")]
    public void Split_KubeletTimestamp_NormalisedToNineDigitsSoStringsOrderAsTimes(string raw, string timestamp, string text)
    {
        Assert.Equal((timestamp, text), PodLogFollower.Split(raw));
    }

    [Theory]
    [InlineData("no timestamp here")]
    [InlineData("2026-12-05 12:00:01Z x")]
    [InlineData("2026-12-05T12:00:01.1234567890Z x")]
    public void Split_NoKubeletTimestamp_WholeLineIsText(string raw)
    {
        Assert.Equal((null, raw), PodLogFollower.Split(raw));
    }

    [Fact]
    public void Split_TrimmedFractions_OrderLikeTheTimesTheyStandFor()
    {
        var earlier = PodLogFollower.Split("2026-12-05T12:00:01.5Z a").Timestamp!;
        var later = PodLogFollower.Split("2026-12-05T12:00:01.123456789Z b").Timestamp!;
        var latest = PodLogFollower.Split("2026-12-05T12:00:02Z c").Timestamp!;

        Assert.True(string.CompareOrdinal(later, earlier) > 0 == false);
        Assert.True(string.CompareOrdinal(earlier, later) > 0);
        Assert.True(string.CompareOrdinal(latest, earlier) > 0);
    }
}
