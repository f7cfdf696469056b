using Microsoft.AspNetCore.Http;
using Orchestrator.Api.Common;
using Orchestrator.Api.Instances;
using Orchestrator.GrainInterfaces;

namespace Orchestrator.Console.Tests.Unit;

/// <summary>The runs list's filter: its keys order newest first, the time range is a key range, bad input names its field.</summary>
public sealed class InstanceListFilterTests
{
    private static readonly DateTimeOffset Noon = new(2026, 12, 5, 12, 0, 0, TimeSpan.Zero);

    private static (InstanceListFilter Filter, List<FieldError> Errors) Read(string query)
    {
        var http = new DefaultHttpContext();
        http.Request.QueryString = new QueryString(query);
        var values = new QueryValues(http);
        var filter = InstanceListFilter.Read(values, 500);
        return (filter, values.Check());
    }

    private static InstanceIndexData Run(DateTimeOffset created, string plan = "p1", string? by = "ann") =>
        new(plan, 1, plan, ExecutionStatus.Running, created, null, by);

    [Fact]
    public void InstanceTimeKey_LaterRun_SortsFirst_AndCarriesTheId()
    {
        var earlier = IndexKinds.InstanceTimeKey(Noon, "zzz");
        var later = IndexKinds.InstanceTimeKey(Noon.AddSeconds(1), "aaa");

        Assert.True(string.CompareOrdinal(later, earlier) < 0);
        Assert.Equal("aaa", InstanceListFilter.IdOf(later));
        Assert.Equal(IndexKinds.InstanceTimeKey(Noon.AddMilliseconds(999), "x"), IndexKinds.InstanceTimeKey(Noon, "x")); // seconds, cut
    }

    [Fact]
    public void StartKeyAndIsPast_Range_ReadsExactlyTheSecondsFromFromToTo()
    {
        var (filter, errors) = Read($"?from={Uri.EscapeDataString(Noon.ToString("O"))}&to={Uri.EscapeDataString(Noon.AddSeconds(2).ToString("O"))}");
        Assert.Empty(errors);
        var start = filter.StartKey()!;

        // Keys after the start and not past: created in [from's second, to's second].
        Assert.True(string.CompareOrdinal(IndexKinds.InstanceTimeKey(Noon.AddSeconds(2), "a"), start) > 0);
        Assert.True(string.CompareOrdinal(IndexKinds.InstanceTimeKey(Noon.AddSeconds(3), "a"), start) < 0);
        Assert.False(filter.IsPast(IndexKinds.InstanceTimeKey(Noon, "zzz")));
        Assert.True(filter.IsPast(IndexKinds.InstanceTimeKey(Noon.AddSeconds(-1), "a")));
        // The exact bounds are checked on the row: from inclusive, to exclusive.
        Assert.True(filter.Matches(Run(Noon)));
        Assert.False(filter.Matches(Run(Noon.AddSeconds(2))));
        Assert.False(filter.Matches(Run(Noon.AddMilliseconds(-1))));
    }

    [Fact]
    public void StartKey_CursorLaterInTheList_IsTheCursor()
    {
        var cursor = Cursor.Encode(IndexKinds.InstanceTimeKey(Noon, "abc"));
        var (filter, errors) = Read($"?after={cursor}&to={Uri.EscapeDataString(Noon.AddHours(1).ToString("O"))}");

        Assert.Empty(errors);
        Assert.Equal(IndexKinds.InstanceTimeKey(Noon, "abc"), filter.StartKey());
    }

    [Fact]
    public void Matches_PlanAndPrincipal_AreExact()
    {
        var (filter, _) = Read("?plan=p1&by=ann");

        Assert.True(filter.Matches(Run(Noon)));
        Assert.False(filter.Matches(Run(Noon, plan: "p10")));
        Assert.False(filter.Matches(Run(Noon, by: "anne")));
        Assert.False(filter.Matches(Run(Noon, by: null)));
    }

    [Theory]
    [InlineData("?plan=a%20b", "plan")]
    [InlineData("?by=", "by")]
    [InlineData("?from=yesterday", "from")]
    [InlineData("?from=2026-12-05T12:00:00Z&to=2026-12-05T12:00:00Z", "to")]
    [InlineData("?status=bogus", "status")]
    [InlineData("?namespace=Bad_NS", "namespace")]
    public void Read_BadInput_NamesTheField(string query, string field)
    {
        var (_, errors) = Read(query);

        Assert.Contains(errors, e => e.Path == field);
    }

    [Fact]
    public void Read_CursorOfAnotherList_IsRefusedNamingAfter()
    {
        var (_, errors) = Read($"?after={Cursor.Encode("0123456789abcdef0123456789abcdef")}");

        var error = Assert.Single(errors);
        Assert.Equal("after", error.Path);
    }
}
