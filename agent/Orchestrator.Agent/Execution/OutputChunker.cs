using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace Orchestrator.Agent.Execution;

/// <summary>
/// Cuts one output stream of a script into log chunks: the stream's bytes are decoded as UTF-8 (an invalid sequence
/// becomes U+FFFD; a character whose bytes straddle two reads is decoded whole; an unfinished one at the end of the
/// stream becomes U+FFFD), whole lines are gathered and sent when <see cref="Flush"/> runs (every
/// <see cref="AgentOptions.OutputFlushInterval"/>) or when they reach the chunk size; a line longer than that is cut
/// (never inside a surrogate pair), keeping enough of its end back that a secret cannot be split across two chunks
/// unmasked. Whole lines are also read for the <c>::set-output name=value</c> and <c>::progress 30% message</c>
/// commands; they stay in the log like any line.
/// </summary>
internal sealed partial class OutputChunker(string stream, AssignmentLog log, int maxChunkChars)
{
    private readonly Lock gate = new();
    private readonly StringBuilder ready = new();
    private readonly StringBuilder partial = new();
    private readonly Decoder decoder = new UTF8Encoding(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: false).GetDecoder();
    private char[] decoded = new char[4096];
    private bool partialIsContinuation;

    /// <summary>Bytes as the script wrote them.</summary>
    public void Write(ReadOnlySpan<byte> bytes)
    {
        lock (gate)
        {
            Decode(bytes, flush: false);
        }
    }

    public void Write(ReadOnlySpan<char> text)
    {
        lock (gate)
        {
            WriteChars(text);
        }
    }

    private void Decode(ReadOnlySpan<byte> bytes, bool flush)
    {
        var count = decoder.GetCharCount(bytes, flush);
        if (decoded.Length < count)
        {
            decoded = new char[Math.Max(count, decoded.Length * 2)];
        }
        var written = decoder.GetChars(bytes, decoded, flush);
        WriteChars(decoded.AsSpan(0, written));
    }

    private void WriteChars(ReadOnlySpan<char> text)
    {
        while (!text.IsEmpty)
        {
            var newline = text.IndexOf('\n');
            if (newline < 0)
            {
                partial.Append(text);
                if (partial.Length >= maxChunkChars)
                {
                    CutPartial();
                }
                return;
            }
            partial.Append(text[..(newline + 1)]);
            text = text[(newline + 1)..];
            CompleteLine();
        }
    }

    /// <summary>Sends the whole lines gathered so far; at the end of the stream (<paramref name="final"/>) also an
    /// unfinished last line.</summary>
    public void Flush(bool final)
    {
        lock (gate)
        {
            if (final)
            {
                // Bytes of an unfinished character at the end of the stream become U+FFFD.
                Decode([], flush: true);
                if (partial.Length > 0)
                {
                    CompleteLine();
                }
            }
            EmitReady();
        }
    }

    private void CompleteLine()
    {
        var line = partial.ToString();
        partial.Clear();
        if (!partialIsContinuation)
        {
            ReadCommand(line.AsSpan().TrimEnd("\r\n"));
        }
        partialIsContinuation = false;
        var masked = log.Masker.Apply(line);
        if (ready.Length > 0 && ready.Length + masked.Length > maxChunkChars)
        {
            EmitReady();
        }
        ready.Append(masked);
        if (ready.Length >= maxChunkChars)
        {
            EmitReady();
        }
    }

    private void CutPartial()
    {
        var masked = log.Masker.Apply(partial.ToString());
        var keep = Math.Max(0, log.Masker.LongestSecret - 1);
        if (masked.Length <= keep)
        {
            return;
        }
        // Cut before the kept tail, and never between the two halves of a 4-byte character.
        var cut = Agent.Protocol.ProtocolText.SafeCut(masked, masked.Length - keep);
        if (cut == 0)
        {
            return;
        }
        EmitReady();
        log.Append(stream, masked[..cut]);
        partial.Clear().Append(masked.AsSpan(cut));
        partialIsContinuation = true;
    }

    private void EmitReady()
    {
        if (ready.Length > 0)
        {
            log.Append(stream, ready.ToString());
            ready.Clear();
        }
    }

    private void ReadCommand(ReadOnlySpan<char> line)
    {
        if (!line.StartsWith("::", StringComparison.Ordinal))
        {
            return;
        }
        const string setOutput = "::set-output ";
        if (line.StartsWith(setOutput, StringComparison.Ordinal))
        {
            var rest = line[setOutput.Length..].TrimStart();
            var equals = rest.IndexOf('=');
            if (equals > 0 && !rest[..equals].ContainsAny(" \t"))
            {
                log.SetOutput(rest[..equals].ToString(), rest[(equals + 1)..].ToString());
            }
            return;
        }
        var progress = ProgressCommand().Match(line.ToString());
        if (progress.Success)
        {
            var percent = Math.Min(100, int.Parse(progress.Groups["percent"].ValueSpan, CultureInfo.InvariantCulture));
            var message = progress.Groups["message"].Success ? progress.Groups["message"].Value.Trim() : null;
            log.Progress(percent, string.IsNullOrEmpty(message) ? null : message);
        }
    }

    [GeneratedRegex(@"^::progress\s+(?<percent>\d{1,3})%(?:\s+(?<message>.*))?$", RegexOptions.CultureInvariant)]
    private static partial Regex ProgressCommand();
}
