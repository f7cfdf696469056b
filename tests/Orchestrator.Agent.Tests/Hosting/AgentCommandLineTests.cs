using Microsoft.Extensions.Logging;
using Orchestrator.Agent.Hosting;

namespace Orchestrator.Agent.Tests.Hosting;

public sealed class AgentCommandLineTests
{
    private static readonly Dictionary<string, string?> NoEnvironment = [];

    [Fact]
    public void Parse_ArgumentsAndEnvironment_ArgumentsWin()
    {
        var environment = new Dictionary<string, string?>
        {
            ["ORCH_AGENT_SERVER"] = "http://from-env:1",
            ["ORCH_AGENT_TOKEN"] = "env-token",
            ["ORCH_AGENT_CAPACITY"] = "7",
            ["ORCH_AGENT_LABELS"] = "zone=a",
            ["ORCH_AGENT_KILL_GRACE"] = "3s",
        };

        var result = AgentCommandLine.Parse(["--server", "http://from-args:2", "--capacity=9", "--log-level", "debug"], environment);

        Assert.Empty(result.Errors);
        Assert.Equal(new Uri("http://from-args:2"), result.Options.Server);
        Assert.Equal("env-token", result.Options.Token);
        Assert.Equal(9, result.Options.Capacity);
        Assert.Equal("a", result.Options.Labels["zone"]);
        Assert.Equal(TimeSpan.FromSeconds(3), result.Options.KillGracePeriod);
        Assert.Equal(LogLevel.Debug, result.LogLevel);
    }

    [Fact]
    public void Parse_LabelsRepeatedAndCommaSeparated_CollectsAllAndReplacesEnvironment()
    {
        var environment = new Dictionary<string, string?> { ["ORCH_AGENT_LABELS"] = "old=1" };

        var result = AgentCommandLine.Parse(["--server", "http://x", "--token", "t", "--label", "a=1", "--labels", "b=2, c=3", "--label", "d=x.y"], environment);

        Assert.Empty(result.Errors);
        Assert.Equal(new Dictionary<string, string> { ["a"] = "1", ["b"] = "2", ["c"] = "3", ["d"] = "x.y" }, result.Options.Labels);
    }

    [Theory]
    [InlineData("d=x=y", "'x=y' is not a label value")]
    [InlineData("has space=1", "'has space' is not a label key")]
    [InlineData("example.com/role=web-", "'web-' is not a label value")]
    [InlineData("Example.com/role=web", "'Example.com/role' is not a label key")]
    public void Parse_LabelOutsideKubernetesSyntax_IsAnErrorNamingIt(string label, string expected)
    {
        var result = AgentCommandLine.Parse(["--server", "http://x", "--token", "t", "--label", label], NoEnvironment);

        Assert.Contains(result.Errors, e => e.StartsWith("Labels: " + expected, StringComparison.Ordinal));
    }

    [Fact]
    public void Parse_SimulatedFleet_SetsCountAndPrefix()
    {
        var result = AgentCommandLine.Parse(["--server", "http://x", "--token", "t", "--simulate", "5000", "--host-prefix", "load-"], NoEnvironment);

        Assert.Empty(result.Errors);
        Assert.Equal(5000, result.Options.Simulate);
        Assert.Equal("load-", result.Options.HostPrefix);
    }

    [Fact]
    public void Parse_BadValues_ReportsEachNamingOptionAndValue()
    {
        var result = AgentCommandLine.Parse(["--server", "http://x", "--capacity", "many", "--kill-grace", "soon", "--label", "novalue", "--what", "--simulate"], NoEnvironment);

        Assert.Contains("--capacity: 'many' is invalid: not a whole number.", result.Errors);
        Assert.Contains(result.Errors, e => e.StartsWith("--kill-grace: 'soon' is invalid", StringComparison.Ordinal));
        Assert.Contains(result.Errors, e => e.StartsWith("--label: 'novalue' is invalid", StringComparison.Ordinal));
        Assert.Contains("--what: unknown option (see --help).", result.Errors);
        Assert.Contains("--simulate: a value is required.", result.Errors);
        Assert.Contains(result.Errors, e => e.StartsWith("Token: required", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("200ms", 200)]
    [InlineData("1.5s", 1500)]
    [InlineData("2m", 120_000)]
    [InlineData("00:00:03", 3000)]
    public void TryParseDuration_KnownForms_Parses(string text, int milliseconds)
    {
        Assert.True(AgentCommandLine.TryParseDuration(text, out var duration));
        Assert.Equal(TimeSpan.FromMilliseconds(milliseconds), duration);
    }

    [Fact]
    public void Parse_Help_SkipsValidation()
    {
        var result = AgentCommandLine.Parse(["--help"], NoEnvironment);

        Assert.True(result.HelpRequested);
        Assert.Empty(result.Errors);
        Assert.Contains("ORCH_AGENT_TOKEN", AgentCommandLine.Usage(), StringComparison.Ordinal);
    }
}
