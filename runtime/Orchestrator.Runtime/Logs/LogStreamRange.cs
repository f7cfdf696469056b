using System.Text;

namespace Orchestrator.Runtime.Logs;

/// <summary>
/// The streams that start with a prefix as a range of names, <c>prefix ≤ stream &lt; UpperBound(prefix)</c>, in the
/// order both stores compare them (PostgreSQL <c>COLLATE "C"</c> and SQLite <c>BINARY</c>: UTF-8 bytes, which is
/// code point order). A range is what a b-tree serves, and unlike <c>LIKE</c> it needs no escaping of the prefix.
/// </summary>
internal static class LogStreamRange
{
    /// <summary>
    /// The least string above every string that starts with <paramref name="prefix"/>: the prefix up to its last code
    /// point below U+10FFFF, that code point plus one. Null when there is none (the prefix is all U+10FFFF).
    /// </summary>
    public static string? UpperBound(string prefix)
    {
        ArgumentException.ThrowIfNullOrEmpty(prefix);
        var runes = prefix.EnumerateRunes().ToList();
        for (var i = runes.Count - 1; i >= 0; i--)
        {
            var value = runes[i].Value;
            if (value == 0x10FFFF)
            {
                continue;
            }
            // Surrogate code points are not runes (and never occur in valid text): step over them.
            var next = value + 1 == 0xD800 ? 0xE000 : value + 1;
            var bound = new StringBuilder();
            foreach (var rune in runes.Take(i))
            {
                bound.Append(rune.ToString());
            }
            return bound.Append(new Rune(next).ToString()).ToString();
        }
        return null;
    }
}
