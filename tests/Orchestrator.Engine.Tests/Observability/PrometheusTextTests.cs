namespace Orchestrator.Engine.Tests.Observability;

/// <summary>The test's Prometheus text parser refuses what breaks the format, so a scrape it accepts is well-formed.</summary>
public sealed class PrometheusTextTests
{
    [Fact]
    public void Parse_AWellFormedScrape_ReadsTypesLabelsAndValues()
    {
        var text = PrometheusText.Parse("""
            # HELP runs_total Runs.
            # TYPE runs_total counter
            runs_total{status="succeeded",note="a \"quoted\" \\ value"} 3 1700000000000
            # TYPE latency_seconds histogram
            latency_seconds_bucket{le="0.1"} 1
            latency_seconds_bucket{le="+Inf"} 2
            latency_seconds_sum 0.35
            latency_seconds_count 2

            """.Replace("\r", "", StringComparison.Ordinal));

        Assert.Equal("counter", text.Types["runs_total"]);
        Assert.Equal(3, text.Sum("runs_total", "status=succeeded"));
        Assert.Equal("a \"quoted\" \\ value", Assert.Single(text.Find("runs_total")).Labels["note"]);
        Assert.Equal(2, text.Sum("latency_seconds_count"));
    }

    [Theory]
    [InlineData("untyped_sample 1\n", "has no # TYPE")]
    [InlineData("# TYPE x gauge\nx{a=\"1\" 2\n", "labels are separated")]
    [InlineData("# TYPE x gauge\nx one\n", "is not a value")]
    [InlineData("# TYPE h histogram\nh_bucket{le=\"1\"} 2\nh_bucket{le=\"+Inf\"} 1\nh_count 1\n", "is below")]
    [InlineData("# TYPE h histogram\nh_bucket{le=\"+Inf\"} 2\nh_count 3\n", "is not its _count")]
    public void Parse_ABrokenScrape_IsRefusedNamingTheRule(string scrape, string rule)
    {
        var error = Assert.Throws<FormatException>(() => PrometheusText.Parse(scrape));
        Assert.Contains(rule, error.Message, StringComparison.Ordinal);
    }
}
