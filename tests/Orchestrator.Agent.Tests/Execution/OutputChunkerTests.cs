using System.Text;
using Orchestrator.Agent.Execution;
using Orchestrator.Agent.Reporting;
using Orchestrator.Agent.Tests.Reporting;

namespace Orchestrator.Agent.Tests.Execution;

public sealed class OutputChunkerTests
{
    private readonly ReportQueue queue = new(1024 * 1024, new ManualClock());

    [Fact]
    public void Write_LinesBeforeFlush_GoInOneChunkWithConsecutiveSeq()
    {
        var log = Log();
        var chunker = new OutputChunker("stdout", log, 1000);

        chunker.Write("one\ntwo\n");
        chunker.Write("thr");
        chunker.Flush(final: false);
        chunker.Write("ee\n");
        chunker.Flush(final: true);

        var chunks = queue.PendingChunks();
        Assert.Equal(["one\ntwo\n", "three\n"], chunks.Select(c => c.Text));
        Assert.Equal([0L, 1L], chunks.Select(c => c.Seq));
        Assert.Equal(2, log.ChunkCount);
    }

    [Fact]
    public void Write_LongLineWithSecretAcrossCut_NeverSendsAnyPartOfIt()
    {
        const string secret = "TOPSECRETVALUE";
        var log = Log(secret);
        var chunker = new OutputChunker("stdout", log, 16);
        var line = new string('x', 10) + secret + new string('y', 30) + "\n";

        // Written a character at a time, so every possible cut point is tried.
        foreach (var c in line)
        {
            chunker.Write([c]);
        }
        chunker.Flush(final: true);

        var text = string.Concat(queue.PendingChunks().Select(c => c.Text));
        Assert.Equal(new string('x', 10) + "***" + new string('y', 30) + "\n", text);
        Assert.All(queue.PendingChunks(), c => Assert.DoesNotContain("TOP", c.Text, StringComparison.Ordinal));
    }

    [Fact]
    public void Write_CommandSplitAcrossWrites_IsRead()
    {
        var log = Log();
        var chunker = new OutputChunker("stdout", log, 1000);

        chunker.Write("::set-out");
        chunker.Write("put name=va");
        chunker.Write("lue with spaces\r\n::progress 150% over\n::progress x%\n");

        Assert.Equal("value with spaces", log.Outputs()?["name"]);
        var progress = Assert.Single(queue.TakeEvents());
        Assert.Equal(100, progress.Event.Percent);
        Assert.Equal("over", progress.Event.Message);
    }

    [Fact]
    public void Write_InvalidUtf8_IsDecodedAsReplacementCharacters()
    {
        var chunker = new OutputChunker("stdout", Log(), 1000);

        chunker.Write([(byte)'a', 0xFF, (byte)'b', 0xC3, (byte)'(', 0xED, 0xA0, 0x80, (byte)'\n']); // a lone 0xFF, a cut 2-byte lead, an encoded surrogate
        chunker.Flush(final: true);

        Assert.Equal("a\ufffdb\ufffd(\ufffd\ufffd\ufffd\n", Text());
    }

    [Fact]
    public void Write_MultiByteCharactersSplitAcrossReads_AreDecodedWhole()
    {
        var chunker = new OutputChunker("stdout", Log(), 1000);
        var bytes = Encoding.UTF8.GetBytes("é € 😀 𝄞\n");

        foreach (var b in bytes)
        {
            chunker.Write([b]); // every read boundary falls inside some character
        }
        chunker.Flush(final: true);

        Assert.Equal("é € 😀 𝄞\n", Text());
    }

    [Fact]
    public void Flush_UnfinishedCharacterAtTheEndOfTheStream_BecomesOneReplacementCharacter()
    {
        var chunker = new OutputChunker("stdout", Log(), 1000);

        chunker.Write([(byte)'x', 0xF0, 0x9F, 0x98]); // three of the four bytes of 😀
        chunker.Flush(final: false);
        Assert.Empty(queue.PendingChunks()); // no line yet: the bytes wait for the rest of the character
        chunker.Flush(final: true);

        Assert.Equal("x\ufffd", Text());
    }

    [Fact]
    public void Write_NulBytes_AreShownAsTheSymbolForNull()
    {
        var log = Log();
        var chunker = new OutputChunker("stdout", log, 1000);

        chunker.Write([(byte)'a', 0, (byte)'b', (byte)'\n']);
        chunker.Write(Encoding.UTF8.GetBytes("::set-output v=x\0y\n"));
        chunker.Flush(final: true);

        Assert.Equal("a\u2400b\n::set-output v=x\u2400y\n", Text());
        Assert.Equal("x\u2400y", log.Outputs()?["v"]);
    }

    [Fact]
    public void Write_LongLineOfFourByteCharacters_IsNeverCutInsideOne()
    {
        var chunker = new OutputChunker("stdout", Log(), 5);
        var line = string.Concat(Enumerable.Repeat("😀", 40)) + "\n";

        foreach (var b in Encoding.UTF8.GetBytes(line))
        {
            chunker.Write([b]);
        }
        chunker.Flush(final: true);

        var chunks = queue.PendingChunks();
        Assert.True(chunks.Count > 5, $"expected the line to be cut, got {chunks.Count} chunk(s)");
        Assert.All(chunks, c => Assert.True(Agent.Protocol.ProtocolText.IsClean(c.Text), $"a chunk splits a surrogate pair: {c.Text}"));
        Assert.Equal(line, Text());
    }

    [Fact]
    public void SetOutput_OutsideTheProtocolsLimits_IsLeftOutWithASystemLine()
    {
        var log = Log();
        var chunker = new OutputChunker("stdout", log, 1_000_000);

        chunker.Write($"::set-output bad:name=1\n::set-output big={new string('x', Agent.Protocol.ProtocolLimits.MaxOutputValueChars + 1)}\n::set-output ok=1\n");
        chunker.Flush(final: true);

        Assert.Equal(["ok"], log.Outputs()!.Keys);
        var system = queue.PendingChunks().Where(c => c.Stream == "system").Select(c => c.Text).ToList();
        Assert.Equal(2, system.Count);
        Assert.Contains("'bad:name' is not an output name", system[0], StringComparison.Ordinal);
        Assert.Contains("the value of 'big' is 65537 characters long", system[1], StringComparison.Ordinal);
    }

    private string Text() => string.Concat(queue.PendingChunks().Where(c => c.Stream == "stdout").Select(c => c.Text));

    private AssignmentLog Log(params string[] secrets) => new("a-1", queue, new SecretMasker(secrets), TimeProvider.System);
}
