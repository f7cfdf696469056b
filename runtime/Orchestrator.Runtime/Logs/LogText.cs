using System.Buffers;

namespace Orchestrator.Runtime.Logs;

/// <summary>
/// What a log store does to text before it stores it, so that no text can make a store refuse an append: a NUL
/// becomes U+2400 "␀" (PostgreSQL's text cannot hold NUL) and a lone UTF-16 surrogate becomes U+FFFD (no UTF-8
/// store can hold one; Npgsql refuses to encode it). Everything else is kept. The agent protocol applies the same
/// rules (<c>ProtocolText</c>, which the runtime does not reference); docs/agent-protocol.md documents them.
/// </summary>
internal static class LogText
{
    public const char NulReplacement = '\u2400';

    public const char Replacement = '\uFFFD';

    private static readonly SearchValues<char> Suspicious = SearchValues.Create(
        "\0" + string.Concat(Enumerable.Range(0xD800, 0x800).Select(c => (char)c)));

    /// <summary>The text with NULs and lone surrogates replaced; the same instance when there is nothing to replace.</summary>
    public static string Clean(string text)
    {
        var span = text.AsSpan();
        var found = span.IndexOfAny(Suspicious);
        if (found < 0)
        {
            return text;
        }
        var chars = text.ToCharArray();
        for (var i = found; i < chars.Length; i++)
        {
            var c = chars[i];
            if (c == '\0')
            {
                chars[i] = NulReplacement;
            }
            else if (char.IsHighSurrogate(c) && i + 1 < chars.Length && char.IsLowSurrogate(chars[i + 1]))
            {
                i++;
            }
            else if (char.IsSurrogate(c))
            {
                chars[i] = Replacement;
            }
        }
        return new string(chars);
    }
}
