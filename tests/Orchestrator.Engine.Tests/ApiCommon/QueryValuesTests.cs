using Microsoft.AspNetCore.Http;
using Orchestrator.Api.Common;

namespace Orchestrator.Engine.Tests.ApiCommon;

public sealed class QueryValuesTests
{
    private static QueryValues Query(string query)
    {
        var http = new DefaultHttpContext();
        http.Request.QueryString = new QueryString(query);
        return new QueryValues(http);
    }

    [Theory]
    [InlineData("0", 0, 10, true, 0)]
    [InlineData("10", 0, 10, true, 10)]
    [InlineData("11", 0, 10, false, 0)]
    [InlineData("-1", 0, 10, false, 0)]
    [InlineData("-1", -5, 10, false, 0)]
    [InlineData("-0", 0, 10, false, 0)]
    [InlineData("-00", 0, 10, false, 0)]
    [InlineData("007", 0, 10, true, 7)]
    [InlineData("+1", 0, 10, false, 0)]
    [InlineData(" 1", 0, 10, false, 0)]
    [InlineData("1 ", 0, 10, false, 0)]
    [InlineData("1e3", 0, 10000, false, 0)]
    [InlineData("0x10", 0, 100, false, 0)]
    [InlineData("1,000", 0, 10000, false, 0)]
    [InlineData("9223372036854775807", 0, long.MaxValue, true, long.MaxValue)]
    [InlineData("9223372036854775808", 0, long.MaxValue, false, 0)]
    [InlineData("-9223372036854775808", 0, long.MaxValue, false, 0)]
    [InlineData("", 0, 10, false, 0)]
    [InlineData("-", 0, 10, false, 0)]
    [InlineData("٣", 0, 10, false, 0)]
    public void TryWhole_Text_IsDigitsWithinBoundsOnly(string text, long min, long max, bool ok, long expected)
    {
        Assert.Equal(ok, QueryValues.TryWhole(text, min, max, out var value));
        if (ok)
        {
            Assert.Equal(expected, value);
        }
    }

    [Fact]
    public void Limit_NotGiven_IsTheDefault()
    {
        var query = Query("");

        Assert.Equal(ApiLimits.DefaultPageSize, query.Limit(1000));
        Assert.Equal(10, Query("").Limit(10));
        Assert.Null(query.Problem());
    }

    [Theory]
    [InlineData("?limit=0")]
    [InlineData("?limit=1001")]
    [InlineData("?limit=-1")]
    [InlineData("?limit=2147483648")]
    [InlineData("?limit=1&limit=2")]
    public void Limit_OutOfRangeOrTwice_IsAnErrorNamingLimit(string text)
    {
        var query = Query(text);
        query.Limit(1000);

        Assert.Equal("limit", Assert.Single(query.Check()).Path);
    }

    [Fact]
    public void Check_ParametersNotTaken_AreRefusedWithTheNameMeant()
    {
        var query = Query("?limt=5&after=x&zzz=1");
        query.Limit(1000);

        var errors = query.Check();

        Assert.Contains(errors, e => e.Path == "limt" && e.Message.Contains("did you mean 'limit'", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.Path == "after");
        Assert.Contains(errors, e => e.Path == "zzz" && e.Message.Contains("it takes limit", StringComparison.Ordinal));
    }

    [Fact]
    public void After_ACursorWeWrote_IsItsKey()
    {
        var query = Query("?after=" + Cursor.Encode("plan-7"));

        Assert.Equal("plan-7", query.After());
        Assert.Null(query.Problem());
    }
}
