using System.Text;
using Microsoft.AspNetCore.Http;
using Orchestrator.Api.Common;
using Orchestrator.GrainInterfaces;

namespace Orchestrator.Engine.Tests.ApiCommon;

/// <summary>
/// The readers the schedules API moved onto, as every endpoint now has them: fields under two names, enums,
/// durations, parameters, bounded error lists, times in query strings, and <c>If-Match</c>.
/// </summary>
public sealed class JsonFieldsReadTests
{
    private static JsonFields Fields(string json, out JsonBody body)
    {
        body = JsonBody.Parse(Encoding.UTF8.GetBytes(json));
        Assert.Null(body.Error);
        return JsonFields.Of(body.Root);
    }

    [Theory]
    [InlineData("""{"cron":"a"}""", "a")]
    [InlineData("""{"schedule":"b"}""", "b")]
    [InlineData("""{}""", null)]
    public void Alias_EitherName_IsReadAsTheField(string json, string? expected)
    {
        var fields = Fields(json, out var body);
        using (body)
        {
            fields.Alias("cron", "schedule");
            Assert.Equal(expected, fields.String("cron", 10));
            fields.RefuseUnknown();
        }
        Assert.Empty(fields.Errors);
    }

    [Fact]
    public void Alias_BothNamesGiven_IsOneErrorNamingBoth()
    {
        var fields = Fields("""{"cron":"a","schedule":"b"}""", out var body);
        using (body)
        {
            fields.Alias("cron", "schedule");
            fields.String("cron", 10);
            fields.RefuseUnknown();
        }
        var error = Assert.Single(fields.Errors);
        Assert.Equal("schedule", error.Path);
        Assert.Contains("'schedule' and 'cron'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Alias_ErrorsNameTheFieldAsGiven()
    {
        var fields = Fields("""{"startingDeadlineSeconds":"soon","concurrencyPolicy":5,"hooks":{"u":1}}""", out var body);
        using (body)
        {
            fields.Alias("startingDeadline", "startingDeadlineSeconds");
            fields.Alias("overlap", "concurrencyPolicy");
            fields.Alias("hook", "hooks");
            fields.Duration("startingDeadline", TimeSpan.FromSeconds(1), TimeSpan.FromDays(366), wholeSecondsAsNumber: true);
            fields.Enum<OverlapPolicy>("overlap");
            fields.Object("hook")!.RefuseUnknown();
        }
        Assert.Equal(["startingDeadlineSeconds", "concurrencyPolicy", "hooks.u"], fields.Errors.Select(e => e.Path));
    }

    [Theory]
    [InlineData("\"bufferOne\"", OverlapPolicy.BufferOne)]
    [InlineData("\"BUFFERONE\"", OverlapPolicy.BufferOne)]
    [InlineData("\"Forbid\"", OverlapPolicy.Forbid)]
    [InlineData("\"1\"", null)]
    [InlineData("1", null)]
    [InlineData("\"allow,forbid\"", null)]
    [InlineData("\"\"", null)]
    public void Enum_NamesInAnyCase_AreTheOnlyValues(string value, OverlapPolicy? expected)
    {
        var fields = Fields($$"""{"overlap":{{value}}}""", out var body);
        using (body)
        {
            Assert.Equal(expected, fields.Enum<OverlapPolicy>("overlap"));
        }
        Assert.Equal(expected is null, fields.Errors.Count == 1);
        if (expected is null)
        {
            Assert.Contains("allow, forbid, replace, bufferOne", fields.Errors[0].Message, StringComparison.Ordinal);
        }
    }

    [Theory]
    [InlineData("\"90s\"", true, 90)]
    [InlineData("\"PT90S\"", true, 90)]
    [InlineData("\"366d\"", true, 366 * 86400)]
    [InlineData("31622400", true, 366 * 86400)]
    [InlineData("1", true, 1)]
    [InlineData("\"367d\"", false, 0)]
    [InlineData("31622401", false, 0)]
    [InlineData("\"500ms\"", false, 0)]
    [InlineData("0", false, 0)]
    [InlineData("-5", false, 0)]
    [InlineData("1.5", false, 0)]
    [InlineData("1e3", false, 0)]
    [InlineData("\"-1s\"", false, 0)]
    [InlineData("true", false, 0)]
    public void Duration_WithinItsBounds_AsTextOrWholeSeconds(string value, bool ok, long seconds)
    {
        var fields = Fields($$"""{"d":{{value}}}""", out var body);
        using (body)
        {
            var read = fields.Duration("d", TimeSpan.FromSeconds(1), TimeSpan.FromDays(366), wholeSecondsAsNumber: true);
            Assert.Equal(ok ? TimeSpan.FromSeconds(seconds) : null, read);
        }
        Assert.Equal(ok, fields.Errors.Count == 0);
    }

    [Fact]
    public void Duration_NumberWhereOnlyTextIsTaken_IsRefused()
    {
        var fields = Fields("""{"d":90}""", out var body);
        using (body)
        {
            Assert.Null(fields.Duration("d", TimeSpan.Zero, TimeSpan.FromDays(1)));
        }
        Assert.Contains("found a number", Assert.Single(fields.Errors).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parameters_PastTheLimit_IsOneError_WhateverTheEntriesHold()
    {
        var entries = string.Join(",", Enumerable.Range(0, ApiLimits.MaxParameters + 1).Select(i => $"\"{(i % 2 == 0 ? "bad name " : "p")}{i}\":{i}"));
        var fields = Fields("{\"parameters\":{" + entries + "}}", out var body);
        using (body)
        {
            Assert.Null(fields.Parameters("parameters"));
        }
        var error = Assert.Single(fields.Errors);
        Assert.Equal("parameters", error.Path);
        Assert.Contains($"at most {ApiLimits.MaxParameters}", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parameters_ValuesAreStrings_NamesParameterNames()
    {
        var fields = Fields("""{"parameters":{"greeting":"hi","n":5,"flag":true,"1st":"x"}}""", out var body);
        using (body)
        {
            Assert.Equal(new Dictionary<string, string> { ["greeting"] = "hi" }, fields.Parameters("parameters"));
        }
        Assert.Equal(["parameters.n", "parameters.flag", "parameters.1st"], fields.Errors.Select(e => e.Path));
    }

    [Fact]
    public void RefuseUnknown_ManyUnknownFields_NamesAFewAndCountsTheRest()
    {
        var fields = Fields("{" + string.Join(",", Enumerable.Range(0, 1000).Select(i => $"\"f{i}\":1")) + "}", out var body);
        using (body)
        {
            fields.String("cron", 10);
            fields.RefuseUnknown();
        }
        Assert.Equal(JsonFields.MaxUnknownNamed + 1, fields.Errors.Count);
        Assert.Equal(("body", $"{1000 - JsonFields.MaxUnknownNamed} more unknown fields (not named here)."), (fields.Errors[^1].Path, fields.Errors[^1].Message));
    }

    [Fact]
    public void LongName_IsCutInThePathAndTheMessage()
    {
        var name = new string('n', 100_000);
        var fields = Fields("{\"" + name + "\":1}", out var body);
        using (body)
        {
            fields.RefuseUnknown();
        }
        var error = Assert.Single(fields.Errors);
        Assert.True(error.Path.Length < 100 && error.Message.Length < 300, $"{error.Path.Length}, {error.Message.Length}");
        Assert.Contains("(100000 characters)", error.Path, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("2030-01-01T09:00:00Z", true)]
    [InlineData("1970-01-01T00:00:00Z", true)]
    [InlineData("1969-12-31T23:59:59Z", false)]
    [InlineData("9999-01-01T00:00:00Z", true)]
    [InlineData("9999-01-01T00:00:00-00:01", false)]
    [InlineData("2030-01-01T09:00:00", false)]
    public void Time_Bounded_IsReadFromBodiesAndQueriesAlike(string text, bool ok)
    {
        var min = new DateTimeOffset(1970, 1, 1, 0, 0, 0, TimeSpan.Zero);
        var max = new DateTimeOffset(9999, 1, 1, 0, 0, 0, TimeSpan.Zero);
        var fields = Fields($$"""{"from":"{{text}}"}""", out var body);
        using (body)
        {
            Assert.Equal(ok, fields.Time("from", min, max) is not null);
        }
        var http = new DefaultHttpContext();
        http.Request.QueryString = QueryString.Create("from", text);
        var query = new QueryValues(http);

        Assert.Equal(ok, query.Time("from", min, max) is not null);
        Assert.Equal(ok, query.Problem() is null);
        Assert.Equal(fields.Errors.Select(e => e.Message), query.Errors.Select(e => e.Message));
    }

    [Theory]
    [InlineData(new string[0], true, null)]
    [InlineData(new[] { "\"3\"" }, true, 3)]
    [InlineData(new[] { "W/\"3\"" }, true, 3)]
    [InlineData(new[] { "3" }, true, 3)]
    [InlineData(new[] { "\"1\"", "\"2\"" }, false, null)]
    [InlineData(new[] { "\"1\", \"2\"" }, false, null)]
    [InlineData(new[] { "*" }, false, null)]
    [InlineData(new[] { "\"-1\"" }, false, null)]
    [InlineData(new[] { "\"2147483648\"" }, false, null)]
    public void IfMatch_OneNumberOrNothing(string[] values, bool ok, int? expected)
    {
        var http = new DefaultHttpContext();
        if (values.Length > 0)
        {
            http.Request.Headers.IfMatch = values;
        }

        var problem = IfMatch.Read(http.Request, "a schedule revision", out var read);

        Assert.Equal(ok, problem is null);
        Assert.Equal(expected, read);
    }
}
