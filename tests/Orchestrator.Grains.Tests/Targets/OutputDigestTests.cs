using Orchestrator.Grains.Targets;

namespace Orchestrator.Grains.Tests.Targets;

public sealed class OutputDigestTests
{
    private static (string Digest, string? Excerpt) Of(params (string Channel, string Text)[] chunks)
    {
        using var digest = new OutputDigest();
        foreach (var (channel, text) in chunks)
        {
            digest.Append(channel, text);
        }
        return digest.Finish();
    }

    [Fact]
    public void Finish_SameTextInOtherChunks_SameDigest()
    {
        var one = Of(("stdout", "disk ok\nall good\n"));
        var two = Of(("stdout", "disk ok\n"), ("stdout", "all good\n"));
        Assert.Equal(one.Digest, two.Digest);
        Assert.Equal(16, one.Digest.Length);
        Assert.Equal("disk ok\nall good", one.Excerpt);
    }

    [Fact]
    public void Finish_DifferentText_DifferentDigest() =>
        Assert.NotEqual(Of(("stdout", "disk ok\n")).Digest, Of(("stdout", "disk full\n")).Digest);

    [Fact]
    public void Append_SystemChunks_LeftOut()
    {
        Assert.Equal(Of(("stdout", "ok")).Digest, Of(("system", "[log truncated]"), ("stdout", "ok")).Digest);
        Assert.Equal((OutputDigest.Empty, (string?)null), Of(("system", "marker")));
    }

    [Fact]
    public void Append_PastMaxChars_TheRestChangesNothing()
    {
        var head = new string('a', OutputDigest.MaxChars);
        using var digest = new OutputDigest();
        digest.Append("stdout", head);
        Assert.True(digest.Full);
        Assert.Equal(Of(("stdout", head)).Digest, Of(("stdout", head), ("stderr", "different tail")).Digest);
    }

    [Fact]
    public void Finish_LongOutput_ExcerptIsItsStartCapped()
    {
        var (_, excerpt) = Of(("stdout", "   " + new string('x', 1000)));
        Assert.Equal(new string('x', OutputDigest.ExcerptChars), excerpt);
    }
}
