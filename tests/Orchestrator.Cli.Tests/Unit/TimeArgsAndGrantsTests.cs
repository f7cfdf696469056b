using Orchestrator.Cli.App;
using Orchestrator.Cli.Commands;

namespace Orchestrator.Cli.Tests.Unit;

public sealed class TimeArgsAndGrantsTests
{
    private static readonly DateTimeOffset Now = new(2026, 12, 5, 8, 0, 0, TimeSpan.Zero);

    [Theory]
    [InlineData("90s", 90)]
    [InlineData("15m", 900)]
    [InlineData("1h30m", 5400)]
    [InlineData("7d", 604800)]
    [InlineData("2w", 1209600)]
    public void Duration_Units_Seconds(string text, int seconds) => Assert.Equal(TimeSpan.FromSeconds(seconds), TimeArgs.Duration(text, "--expires-in"));

    [Theory]
    [InlineData("1.5h")]
    [InlineData("10")]
    [InlineData("h")]
    [InlineData("0s")]
    [InlineData("-1h")]
    public void Duration_NotADuration_UsageErrorNamesFlagAndForms(string text)
    {
        var e = Assert.Throws<CliException>(() => TimeArgs.Duration(text, "--expires-in"));

        Assert.Equal(ExitCodes.Usage, e.ExitCode);
        Assert.Contains($"--expires-in '{text}' is not a duration", e.Message);
        Assert.Contains("1h30m", e.Message);
    }

    [Fact]
    public void PointInTime_Duration_ThatLongBeforeNow() => Assert.Equal(Now.AddHours(-1), TimeArgs.PointInTime("1h", "--since", Now));

    [Theory]
    [InlineData("2026-12-04", "2026-12-04T00:00:00Z")]
    [InlineData("2026-12-04T07:30:00", "2026-12-04T07:30:00Z")]
    [InlineData("2026-12-04T07:30:00Z", "2026-12-04T07:30:00Z")]
    [InlineData("2026-12-04T08:30:00+01:00", "2026-12-04T07:30:00Z")]
    public void PointInTime_IsoTime_UtcUnlessOffsetGiven(string text, string expected) =>
        Assert.Equal(DateTimeOffset.Parse(expected, System.Globalization.CultureInfo.InvariantCulture), TimeArgs.PointInTime(text, "--since", Now));

    [Theory]
    [InlineData("yesterday")]
    [InlineData("12/04/2026")]
    [InlineData("2026-13-40")]
    public void PointInTime_Neither_UsageErrorNamesFlag(string text)
    {
        var e = Assert.Throws<CliException>(() => TimeArgs.PointInTime(text, "--until", Now));

        Assert.Contains($"--until '{text}' is neither a duration", e.Message);
    }

    [Fact]
    public void ParseGrants_SeveralNamespacesAndRoles_RolesPerNamespace()
    {
        var grants = TokenCommands.ParseGrants(["default=operator, approver", "*=viewer"]);

        Assert.Equal(["operator", "approver"], grants["default"]);
        Assert.Equal(["viewer"], grants["*"]);
    }

    [Fact]
    public void ParseGrants_None_UsageErrorListsRoles()
    {
        var e = Assert.Throws<CliException>(() => TokenCommands.ParseGrants([]));

        Assert.Contains("--grant NAMESPACE=ROLE", e.Message);
        Assert.Contains("viewer, operator, approver, admin", e.Message);
    }

    [Theory]
    [InlineData("default")]
    [InlineData("default=")]
    [InlineData("default=,")]
    public void ParseGrants_NoRole_UsageErrorNamesIt(string grant) =>
        Assert.Contains("--grant", Assert.Throws<CliException>(() => TokenCommands.ParseGrants([grant])).Message);
}
