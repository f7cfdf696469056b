namespace Orchestrator.Api.Common;

/// <summary>
/// Who is calling. Authentication comes with the full API; until then the header <c>X-Orchestrator-User</c> names the
/// caller (default <c>anonymous</c>): once, 1 to <see cref="ApiLimits.MaxUserLength"/> characters after trimming, no
/// control characters. <see cref="ProblemHandling"/> refuses any other value for every request, so endpoints just read it.
/// </summary>
public static class Caller
{
    public const string Header = "X-Orchestrator-User";

    public const string Anonymous = "anonymous";

    public static string Of(HttpContext context) =>
        context.Request.Headers.TryGetValue(Header, out var value) && !string.IsNullOrWhiteSpace(value) ? value.ToString().Trim() : Anonymous;

    /// <summary>Null when the header is absent or valid; else why not.</summary>
    public static string? Problem(HttpRequest request)
    {
        if (!request.Headers.TryGetValue(Header, out var values))
        {
            return null;
        }
        if (values.Count > 1)
        {
            return $"Given {values.Count} times; give it once.";
        }
        var name = (values[0] ?? "").Trim();
        if (name.Length == 0)
        {
            return $"Empty; leave the header out to be '{Anonymous}'.";
        }
        if (name.Length > ApiLimits.MaxUserLength)
        {
            return $"Longer than {ApiLimits.MaxUserLength} characters ({name.Length}).";
        }
        return name.Any(char.IsControl) ? $"{Quote.Of(name)} holds control characters." : null;
    }
}
