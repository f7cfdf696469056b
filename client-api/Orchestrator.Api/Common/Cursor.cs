using System.Buffers.Text;
using System.Diagnostics.CodeAnalysis;
using System.Text;

namespace Orchestrator.Api.Common;

/// <summary>
/// Paging cursors: a list answers <c>next</c>, the caller passes it back as <c>after</c>. A cursor is opaque: base64url
/// (no padding) of a version byte and the last key of the page in UTF-8. A cursor that does not decode, has another
/// version, or holds a key with characters outside the key alphabet (ASCII letters, digits, <c>-_.:/@</c>; so never a
/// NUL) is refused as 400 <c>after</c> before any store sees it.
/// </summary>
public static class Cursor
{
    private const byte Version = 1;

    /// <summary>Longest key a cursor may carry (ids are at most 128 characters, host names 253, composite keys more).</summary>
    public const int MaxKeyLength = 512;

    public static string Encode(string key)
    {
        ArgumentNullException.ThrowIfNull(key);
        var bytes = new byte[1 + Encoding.UTF8.GetByteCount(key)];
        bytes[0] = Version;
        Encoding.UTF8.GetBytes(key, bytes.AsSpan(1));
        return Base64Url.EncodeToString(bytes);
    }

    /// <summary>The key a cursor carries; false with the reason when it is not a cursor of ours.</summary>
    public static bool TryDecode(string? cursor, [NotNullWhen(true)] out string? key, [NotNullWhen(false)] out string? error)
    {
        key = null;
        if (string.IsNullOrEmpty(cursor) || cursor.Length > ApiLimits.MaxCursorLength || !cursor.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_'))
        {
            error = $"{Quote.Of(cursor)} is not a paging cursor: pass the 'next' value of the previous page unchanged.";
            return false;
        }
        byte[] bytes;
        try
        {
            bytes = Base64Url.DecodeFromChars(cursor);
        }
        catch (FormatException)
        {
            error = $"{Quote.Of(cursor)} is not a paging cursor: it does not decode.";
            return false;
        }
        if (bytes.Length < 2 || bytes[0] != Version)
        {
            error = $"{Quote.Of(cursor)} is not a paging cursor of this version: pass the 'next' value of the previous page unchanged.";
            return false;
        }
        var text = Encoding.ASCII.GetString(bytes, 1, bytes.Length - 1);
        if (bytes.AsSpan(1).ContainsAnyExcept(KeyBytes) || text.Length > MaxKeyLength)
        {
            error = $"{Quote.Of(cursor)} is not a paging cursor: the key it holds is not a key.";
            return false;
        }
        key = text;
        error = null;
        return true;
    }

    /// <summary>The next page's cursor: the last key when the page is full (more may follow), else null.</summary>
    public static string? Next(int count, int pageSize, Func<string> lastKey) => count > 0 && count >= pageSize ? Encode(lastKey()) : null;

    private static readonly System.Buffers.SearchValues<byte> KeyBytes =
        System.Buffers.SearchValues.Create("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.:/@"u8);
}
