using Orchestrator.GrainInterfaces;
using Orchestrator.Grains.Steps;

namespace Orchestrator.Grains.Tests.Steps;

public sealed class OutputGroupingTests
{
    private static readonly string Ok = OutputGroupKey.Of("0123456789abcdef", 0, TargetStatus.Succeeded);
    private static readonly string Bad = OutputGroupKey.Of("fedcba9876543210", 1, TargetStatus.Failed);

    [Fact]
    public void Add_SameKeyTwice_OneGroupCountingBothWithTheFirstHostAsSample()
    {
        var set = new OutputGroupSet();
        OutputGrouping.Add(set, Ok, "ok", "web-1");
        OutputGrouping.Add(set, Ok, "ok", "web-2");
        OutputGrouping.Add(set, Bad, "disk full", "web-3");

        var view = OutputGrouping.View(set, attempt: 1);
        Assert.Equal(2, view.Groups.Count);
        Assert.Equal((Ok, 2, "ok", "web-1", 0, TargetStatus.Succeeded), (view.Groups[0].Key, view.Groups[0].Count, view.Groups[0].Excerpt, view.Groups[0].SampleHost, view.Groups[0].ExitCode, view.Groups[0].Status));
        Assert.Equal((Bad, 1, "disk full", 1, TargetStatus.Failed), (view.Groups[1].Key, view.Groups[1].Count, view.Groups[1].Excerpt, view.Groups[1].ExitCode, view.Groups[1].Status));
        Assert.Equal((0, 3), (view.Other, view.Grouped));
    }

    [Fact]
    public void Add_PastMaxGroups_CountsTheRestInOtherAndKeepsGrowingKnownGroups()
    {
        var set = new OutputGroupSet();
        for (var i = 0; i < OutputGrouping.MaxGroups + 50; i++)
        {
            OutputGrouping.Add(set, OutputGroupKey.Of(i.ToString("x16", System.Globalization.CultureInfo.InvariantCulture), 0, TargetStatus.Succeeded), $"line {i}", $"h{i}");
        }
        OutputGrouping.Add(set, OutputGroupKey.Of(0.ToString("x16", System.Globalization.CultureInfo.InvariantCulture), 0, TargetStatus.Succeeded), "line 0", "again");

        var view = OutputGrouping.View(set, 1);
        Assert.Equal(OutputGrouping.MaxGroups, view.Groups.Count);
        Assert.Equal(50, view.Other);
        Assert.Equal(OutputGrouping.MaxGroups + 51, view.Grouped);
        Assert.Equal(2, view.Groups[0].Count); // the largest first
    }

    [Fact]
    public void Add_LongExcerpt_CappedAtMaxExcerpt()
    {
        var set = new OutputGroupSet();
        OutputGrouping.Add(set, Ok, new string('x', 1000), "web-1");
        Assert.Equal(OutputGrouping.MaxExcerpt, set.Groups[0].Excerpt!.Length);
    }

    [Fact]
    public void Rebuild_RetriedHosts_LeaveTheirGroupAndOthersStayWithTheirExcerpts()
    {
        var before = new OutputGroupSet();
        OutputGrouping.Add(before, Ok, "ok", "web-1");
        OutputGrouping.Add(before, Ok, "ok", "web-2");
        OutputGrouping.Add(before, Bad, "disk full", "web-3");
        var rows = new (string, TargetStatus, string?)[]
        {
            ("web-1", TargetStatus.Succeeded, Ok),
            ("web-2", TargetStatus.Succeeded, Ok),
            ("web-3", TargetStatus.Failed, Bad),
            ("web-4", TargetStatus.Succeeded, null),     // a row of before output groups: not grouped, and no error
            ("web-5", TargetStatus.Running, Ok),         // not final: not grouped
        };

        var after = OutputGrouping.Rebuild(before, rows, new HashSet<string>(["web-3"], StringComparer.Ordinal));
        var view = OutputGrouping.View(after, 2);
        var only = Assert.Single(view.Groups);
        Assert.Equal((Ok, 2, "ok"), (only.Key, only.Count, only.Excerpt));

        // The retried host reports again, now like the others: it is counted once, in its new group.
        OutputGrouping.Add(after, Ok, "ok", "web-3");
        view = OutputGrouping.View(after, 2);
        Assert.Equal((3, 3), (Assert.Single(view.Groups).Count, view.Grouped));
    }

    [Theory]
    [InlineData("0123456789abcdef", 0, TargetStatus.Succeeded, "0123456789abcdef.0.10")]
    [InlineData("0123456789abcdef", -1, TargetStatus.Failed, "0123456789abcdef.-1.11")]
    [InlineData("0123456789abcdef", null, TargetStatus.AgentOffline, "0123456789abcdef.x.13")]
    public void OutputGroupKey_OfThenTryParse_RoundTrips(string digest, int? exitCode, TargetStatus status, string key)
    {
        Assert.Equal(key, OutputGroupKey.Of(digest, exitCode, status));
        Assert.True(OutputGroupKey.TryParse(key, out var d, out var e, out var s));
        Assert.Equal((digest, exitCode, status), (d, e, s));
    }

    [Theory]
    [InlineData("")]
    [InlineData("0123456789abcdef.0")]
    [InlineData("0123456789ABCDEF.0.10")]
    [InlineData("0123456789abcde.0.10")]
    [InlineData("0123456789abcdef.01.10")]
    [InlineData("0123456789abcdef.0.99")]
    [InlineData("0123456789abcdef.0.+10")]
    [InlineData("0123456789abcdef.0.10.1")]
    [InlineData("../../etc.0.10")]
    public void OutputGroupKey_TryParse_RefusesWhatIsNotAKey(string key) =>
        Assert.False(OutputGroupKey.TryParse(key, out _, out _, out _));
}
