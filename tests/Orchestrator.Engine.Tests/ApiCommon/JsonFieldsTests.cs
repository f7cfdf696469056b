using System.Text;
using Orchestrator.Api.Common;

namespace Orchestrator.Engine.Tests.ApiCommon;

public sealed class JsonFieldsTests
{
    private static JsonFields Fields(string json, out JsonBody body)
    {
        body = JsonBody.Parse(Encoding.UTF8.GetBytes(json));
        Assert.Null(body.Error);
        return JsonFields.Of(body.Root);
    }

    [Fact]
    public void RefuseUnknown_AMisspeltField_SuggestsTheFieldMeant()
    {
        var fields = Fields("""{"paramters":{},"reason":"x","zzzzzz":1}""", out var body);
        using (body)
        {
            fields.Object("parameters");
            fields.String("reason", 10);
            fields.RefuseUnknown();
        }

        Assert.Contains(fields.Errors, e => e.Path == "paramters" && e.Message.Contains("did you mean 'parameters'?", StringComparison.Ordinal));
        Assert.Contains(fields.Errors, e => e.Path == "zzzzzz" && e.Message.Contains("it takes parameters, reason", StringComparison.Ordinal));
        Assert.Equal(2, fields.Errors.Count);
    }

    [Fact]
    public void StringMap_WrongTypesAtDepth_AreNamedByPath()
    {
        var fields = Fields("""{"parameters":{"a":"ok","b":5,"c":null,"d":{"x":1},"bad key":"v"}}""", out var body);
        using (body)
        {
            var map = fields.StringMap("parameters", 10, k => !k.Contains(' ', StringComparison.Ordinal), "a name", 100);
            Assert.Equal("ok", map!["a"]);
        }

        Assert.Equal(["parameters.b", "parameters.c", "parameters.d", "parameters['bad key']"], fields.Errors.Select(e => e.Path));
        Assert.StartsWith("Expected a string, found a number", fields.Errors[0].Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("""{"n":5}""", 5L)]
    [InlineData("""{"n":null}""", null)]
    [InlineData("""{}""", null)]
    public void Whole_GivenOrNot_IsReadWithoutError(string json, long? expected)
    {
        var fields = Fields(json, out var body);
        using (body)
        {
            Assert.Equal(expected, fields.Whole("n", 1, 10));
        }
        Assert.Empty(fields.Errors);
    }

    [Theory]
    [InlineData("""{"n":0}""")]
    [InlineData("""{"n":11}""")]
    [InlineData("""{"n":1.5}""")]
    [InlineData("""{"n":"5"}""")]
    [InlineData("""{"n":1e2}""")]
    [InlineData("""{"n":99999999999999999999999}""")]
    public void Whole_OutOfRangeOrNotAWholeNumber_IsAnErrorAtItsPath(string json)
    {
        var fields = Fields(json, out var body);
        using (body)
        {
            Assert.Null(fields.Whole("n", 1, 10));
        }
        Assert.Equal("n", Assert.Single(fields.Errors).Path);
    }

    [Theory]
    [InlineData("2030-01-01T09:00:00Z", true)]
    [InlineData("2030-01-01T09:00:00.5+08:00", true)]
    [InlineData("0001-01-01T00:00:00Z", true)]
    [InlineData("2030-01-01T09:00:00", false)]
    [InlineData("2030-01-01", false)]
    [InlineData("0001-01-01T00:00:00+01:00", false)]
    [InlineData("9999-12-31T23:59:59-01:00", false)]
    [InlineData("10000-01-01T00:00:00Z", false)]
    [InlineData("2030-13-01T00:00:00Z", false)]
    public void Time_Rfc3339WithAnOffsetWithinTheRange_IsTheOnlyTimeRead(string text, bool ok)
    {
        var fields = Fields($$"""{"at":"{{text}}"}""", out var body);
        using (body)
        {
            Assert.Equal(ok, fields.Time("at") is not null);
        }
        Assert.Equal(ok, fields.Errors.Count == 0);
    }
}
