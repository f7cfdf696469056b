using System.Text;

namespace Orchestrator.Api.Common;

/// <summary>
/// Status hook URLs as views and error messages show them. A hook URL often carries a credential: a user name and
/// password (<c>https://alice:pw@host/x</c>) or a token in its query (<c>?token=…</c>). The stored hook keeps the URL
/// whole (it is where events are posted); everything that shows one to a caller shows it redacted.
/// </summary>
public static class HookUrls
{
    /// <summary>What stands for a hidden part.</summary>
    public const string Mask = "***";

    /// <summary>
    /// <paramref name="url"/> with its user information replaced by <c>***</c>, every query value by <c>***</c> (names
    /// are kept; an item without a name is <c>***</c> as a whole) and a fragment by <c>***</c>; scheme, host, port and
    /// path as given. Works on any text, including one that is not a valid URL (an error message may quote it), and
    /// a redacted URL stays as it is when redacted again.
    /// </summary>
    public static string Redact(string url)
    {
        ArgumentNullException.ThrowIfNull(url);
        var scheme = url.IndexOf("://", StringComparison.Ordinal);
        var authorityStart = scheme < 0 ? 0 : scheme + 3;
        var authorityEnd = url.IndexOfAny(['/', '?', '#'], authorityStart);
        if (authorityEnd < 0)
        {
            authorityEnd = url.Length;
        }
        var text = new StringBuilder(url.Length);
        if (scheme >= 0)
        {
            text.Append(url, 0, authorityStart);
            var at = url.LastIndexOf('@', authorityEnd - 1, authorityEnd - authorityStart);
            if (at >= 0)
            {
                text.Append(Mask);
            }
            text.Append(url, at >= 0 ? at : authorityStart, authorityEnd - (at >= 0 ? at : authorityStart));
        }
        else
        {
            authorityEnd = 0; // not a URL with an authority: only its query and fragment are redacted
        }
        var queryStart = url.IndexOf('?', authorityEnd);
        var fragmentStart = url.IndexOf('#', authorityEnd);
        var pathEnd = queryStart >= 0 && (fragmentStart < 0 || queryStart < fragmentStart) ? queryStart : fragmentStart >= 0 ? fragmentStart : url.Length;
        text.Append(url, authorityEnd, pathEnd - authorityEnd);
        if (pathEnd == queryStart)
        {
            var queryEnd = fragmentStart > queryStart ? fragmentStart : url.Length;
            text.Append('?');
            var items = url[(queryStart + 1)..queryEnd].Split('&');
            text.AppendJoin('&', items.Select(RedactItem));
        }
        if (fragmentStart >= 0)
        {
            text.Append('#');
            if (fragmentStart + 1 < url.Length)
            {
                text.Append(Mask);
            }
        }
        return text.ToString();
    }

    private static string RedactItem(string item)
    {
        if (item.Length == 0)
        {
            return item;
        }
        var equals = item.IndexOf('=', StringComparison.Ordinal);
        return equals switch
        {
            < 0 => Mask,
            0 => Mask,
            _ => item[..(equals + 1)] + (equals + 1 < item.Length ? Mask : ""),
        };
    }
}
