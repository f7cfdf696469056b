using Orchestrator.Api.Common;

namespace Orchestrator.Engine.Tests.ApiCommon;

public sealed class HookUrlsTests
{
    [Theory]
    [InlineData("http://alice:hunter2@127.0.0.1:9/x?token=qs-secret", "http://***@127.0.0.1:9/x?token=***")]
    [InlineData("https://h.example/hooks/42", "https://h.example/hooks/42")]
    [InlineData("https://h.example:8443/a/b?x=1&y=&z", "https://h.example:8443/a/b?x=***&y=&***")]
    [InlineData("https://bob@h.example?k=v#frag", "https://***@h.example?k=***#***")]
    [InlineData("https://user:p%40ss@h.example/p@th", "https://***@h.example/p@th")]
    [InlineData("ftp://bob:hunter2@h.example/x", "ftp://***@h.example/x")]
    [InlineData("not a url ?secret=1", "not a url ?secret=***")]
    [InlineData("https://h.example/x?=naked", "https://h.example/x?***")]
    public void Redact_UserInfoAndQueryValues_AreMasked_SchemeHostPathKept(string url, string expected)
    {
        Assert.Equal(expected, HookUrls.Redact(url));
    }

    [Theory]
    [InlineData("http://alice:hunter2@127.0.0.1:9/x?token=qs-secret")]
    [InlineData("https://h.example/x?a=1&b#c")]
    public void Redact_Twice_IsTheSameAsOnce(string url)
    {
        var once = HookUrls.Redact(url);

        Assert.Equal(once, HookUrls.Redact(once));
        Assert.DoesNotContain("hunter2", once, StringComparison.Ordinal);
        Assert.DoesNotContain("qs-secret", once, StringComparison.Ordinal);
    }
}
