namespace Orchestrator.Agent.Execution;

/// <summary>The HTTP statuses an http assignment expects: codes (<c>204</c>) and classes (<c>2xx</c>); none means 2xx.</summary>
internal sealed class StatusMatcher
{
    private readonly HashSet<int> codes = [];
    private readonly HashSet<int> classes = [];
    private readonly string text;

    private StatusMatcher(IReadOnlyList<string> given) => text = given.Count == 0 ? "2xx" : string.Join(", ", given);

    public static bool TryParse(IReadOnlyList<string>? given, out StatusMatcher matcher, out string? bad)
    {
        given ??= [];
        matcher = new StatusMatcher(given);
        bad = null;
        if (given.Count == 0)
        {
            matcher.classes.Add(2);
            return true;
        }
        foreach (var item in given)
        {
            var value = item?.Trim() ?? "";
            if (value.Length == 3 && value[0] is >= '1' and <= '5' && value[1] is 'x' or 'X' && value[2] is 'x' or 'X')
            {
                matcher.classes.Add(value[0] - '0');
            }
            else if (int.TryParse(value, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var code) && code is >= 100 and <= 599)
            {
                matcher.codes.Add(code);
            }
            else
            {
                bad = item;
                return false;
            }
        }
        return true;
    }

    public bool Matches(int status) => codes.Contains(status) || classes.Contains(status / 100);

    public override string ToString() => text;
}
