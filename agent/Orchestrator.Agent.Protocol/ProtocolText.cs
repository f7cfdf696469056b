using System.Buffers;
using System.Text;

namespace Orchestrator.Agent.Protocol;

/// <summary>
/// The one text representation for script output and everything else an agent reports (docs/agent-protocol.md,
/// "Text"): invalid UTF-8 is decoded to U+FFFD (the agent does it as it reads), a NUL becomes U+2400 "␀" (SYMBOL FOR
/// NULL, visible, and storable where NUL is not: PostgreSQL text and jsonb refuse it), and a lone UTF-16 surrogate (which
/// JSON can carry as <c>\ud800</c> but no UTF-8 store can hold) becomes U+FFFD. Every other character is kept,
/// control characters included. The agent applies it before sending and the gateway again before storing, so no
/// client can make a store refuse text.
/// </summary>
public static class ProtocolText
{
    /// <summary>What a NUL is shown as.</summary>
    public const char NulReplacement = '\u2400';

    /// <summary>What a lone surrogate (and invalid UTF-8) is shown as.</summary>
    public const char Replacement = '\uFFFD';

    /// <summary>The text with NULs and lone surrogates replaced; the same instance when there is nothing to replace.</summary>
    public static string Clean(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var first = FirstToReplace(text);
        if (first < 0)
        {
            return text;
        }
        return string.Create(text.Length, (text, first), static (span, state) =>
        {
            var (source, start) = state;
            source.AsSpan().CopyTo(span);
            for (var i = start; i < span.Length; i++)
            {
                var c = span[i];
                if (c == '\0')
                {
                    span[i] = NulReplacement;
                }
                else if (char.IsHighSurrogate(c))
                {
                    if (i + 1 < span.Length && char.IsLowSurrogate(span[i + 1]))
                    {
                        i++;
                    }
                    else
                    {
                        span[i] = Replacement;
                    }
                }
                else if (char.IsLowSurrogate(c))
                {
                    span[i] = Replacement;
                }
            }
        });
    }

    /// <summary>Null stays null; otherwise <see cref="Clean(string)"/>.</summary>
    public static string? CleanOrNull(string? text) => text is null ? null : Clean(text);

    /// <summary>True when <see cref="Clean(string)"/> would change nothing.</summary>
    public static bool IsClean(string text) => FirstToReplace(text) < 0;

    /// <summary>
    /// The first <paramref name="maxChars"/> characters, one fewer when the cut would split a surrogate pair; the
    /// text itself when it is short enough.
    /// </summary>
    public static string Truncate(string text, int maxChars)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (text.Length <= maxChars)
        {
            return text;
        }
        return text[..SafeCut(text, maxChars)];
    }

    /// <summary>
    /// A cut position at or just below <paramref name="index"/> that does not split a surrogate pair: where a
    /// text may be cut in two without turning a 4-byte character into two halves.
    /// </summary>
    public static int SafeCut(ReadOnlySpan<char> text, int index) =>
        index > 0 && index < text.Length && char.IsHighSurrogate(text[index - 1]) && char.IsLowSurrogate(text[index]) ? index - 1 : index;

    /// <summary>Decodes UTF-8 as the agent does: invalid sequences become U+FFFD, then <see cref="Clean(string)"/>.</summary>
    public static string FromUtf8(ReadOnlySpan<byte> bytes) => Clean(Encoding.UTF8.GetString(bytes));

    private static readonly SearchValues<char> Suspicious = SearchValues.Create(
        "\0" + string.Concat(Enumerable.Range(0xD800, 0x800).Select(c => (char)c)));

    private static int FirstToReplace(string text)
    {
        var span = text.AsSpan();
        var offset = 0;
        while (true)
        {
            var found = span[offset..].IndexOfAny(Suspicious);
            if (found < 0)
            {
                return -1;
            }
            var i = offset + found;
            if (char.IsHighSurrogate(span[i]) && i + 1 < span.Length && char.IsLowSurrogate(span[i + 1]))
            {
                offset = i + 2;
                continue;
            }
            return i;
        }
    }
}
