namespace Orchestrator.Plans.Parsing;

/// <summary>
/// Enum values as plan files write them: camelCase (<c>fileDistribution</c>) on output; on input any case, with or
/// without <c>-</c> or <c>_</c> between words (<c>file-distribution</c>, <c>FILE_DISTRIBUTION</c>). Numbers are refused.
/// </summary>
internal static class EnumNames
{
    public static bool TryParse<TEnum>(string text, out TEnum value)
        where TEnum : struct, Enum
    {
        var wanted = Normalize(text);
        foreach (var candidate in Enum.GetValues<TEnum>())
        {
            if (string.Equals(Normalize(candidate.ToString()), wanted, StringComparison.OrdinalIgnoreCase))
            {
                value = candidate;
                return true;
            }
        }

        value = default;
        return false;
    }

    public static string Format<TEnum>(TEnum value)
        where TEnum : struct, Enum
    {
        var name = value.ToString();
        return char.ToLowerInvariant(name[0]) + name[1..];
    }

    public static string Allowed<TEnum>()
        where TEnum : struct, Enum =>
        string.Join(", ", Enum.GetValues<TEnum>().Select(Format));

    private static string Normalize(string text) => text.Trim().Replace("-", "", StringComparison.Ordinal).Replace("_", "", StringComparison.Ordinal);
}
