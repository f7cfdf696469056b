using System.Text;
using Orchestrator.Api.Common;

namespace Orchestrator.Engine.Tests.ApiCommon;

public sealed class JsonBodyTests
{
    private static JsonBody Parse(string text) => JsonBody.Parse(Encoding.UTF8.GetBytes(text));

    [Fact]
    public void Parse_ObjectAfterAByteOrderMark_IsRead()
    {
        using var body = JsonBody.Parse(Encoding.UTF8.GetPreamble().Concat(Encoding.UTF8.GetBytes("""{"a":"b"}""")).ToArray());

        Assert.Null(body.Error);
        Assert.Equal("b", body.Root!.Value.GetProperty("a").GetString());
    }

    [Theory]
    [InlineData("", "body")]
    [InlineData("   \n", "body")]
    [InlineData("[]", "body")]
    [InlineData("42", "body")]
    [InlineData("null", "body")]
    [InlineData("{", "body")]
    [InlineData("{\"a\":1,}", "body")]
    [InlineData("{\"a\":1,\"a\":2}", "body")]
    [InlineData("{// c\n}", "body")]
    [InlineData("{\"a\":\"x\\u0000y\"}", "a")]
    [InlineData("{\"a\":{\"b\":[\"ok\",\"\\ud800\"]}}", "a.b[1]")]
    [InlineData("{\"a\\u0000\":1}", "['a\\u0000']")]
    public void Parse_NotAnAcceptableObject_NamesWhere(string text, string path)
    {
        using var body = Parse(text);

        Assert.NotNull(body.Error);
        Assert.Equal(400, body.Error.Status);
        Assert.Equal(path, body.Error.Field.Path);
        Assert.Null(body.Root);
    }

    [Fact]
    public void Parse_SyntaxError_HasLineAndColumn()
    {
        using var body = Parse("{\n  \"a\": tru\n}");

        Assert.Equal(2, body.Error!.Field.Line);
        Assert.NotNull(body.Error.Field.Column);
    }

    [Theory]
    [InlineData(ApiLimits.MaxJsonDepth, true)]
    [InlineData(ApiLimits.MaxJsonDepth + 1, false)]
    public void Parse_Nesting_IsBoundedByMaxJsonDepth(int depth, bool ok)
    {
        var text = "{\"a\":" + new string('[', depth - 1) + new string(']', depth - 1) + "}";

        using var body = Parse(text);

        Assert.Equal(ok, body.Error is null);
    }
}
