using Orchestrator.Plans.Parsing;

namespace Orchestrator.Api.Common;

/// <summary>The end of an "unknown field" message: the name probably meant, else the names there are.</summary>
public static class Suggestions
{
    public static string Hint(string given, IEnumerable<string> known)
    {
        var names = known.ToList();
        if (NameSuggestions.Closest(given, names) is { } near)
        {
            return $"; did you mean '{near}'?";
        }
        return names.Count == 0 ? "; it takes none." : $"; it takes {string.Join(", ", names)}.";
    }
}
