namespace Orchestrator.Api.Common;

/// <summary>
/// The <c>If-Match</c> header of a conditional update: absent, or exactly one number from 0 (<c>"3"</c>,
/// <c>W/"3"</c> or <c>3</c>, as the resource's ETag gives it). Two values, a list, or anything else is a 400 naming
/// <c>If-Match</c>: a condition read wrongly would overwrite what the caller meant to protect.
/// </summary>
public static class IfMatch
{
    /// <summary>
    /// Null when the header is absent or good (<paramref name="expected"/> then its number or null); else the 400.
    /// <paramref name="what"/> says what the number is, for the message: "a plan version", "a schedule revision".
    /// </summary>
    public static ProblemHttpResult? Read(HttpRequest request, string what, out int? expected)
    {
        expected = null;
        var values = request.Headers.IfMatch;
        if (values.Count == 0)
        {
            return null;
        }
        var text = values.Count == 1 ? (values[0] ?? "").Trim() : "";
        if (text.StartsWith("W/", StringComparison.Ordinal))
        {
            text = text[2..];
        }
        if (!QueryValues.TryWhole(text.Trim('"'), 0, int.MaxValue, out var number))
        {
            return Problems.Field("If-Match", $"{Quote.Of(values.ToString())} is not {what}: one whole number from 0, such as \"3\".");
        }
        expected = (int)number;
        return null;
    }
}
