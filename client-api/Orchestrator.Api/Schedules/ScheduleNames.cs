using Orchestrator.Api.Common;

namespace Orchestrator.Api.Schedules;

/// <summary>
/// Names in the paths of the schedules API. A new schedule's name is held to the strict rule (a DNS label's length); a
/// plan id and the name of a schedule that exists are checked with <see cref="Ids.Check"/>, the alphabet every earlier
/// version saved them with, so a schedule named <c>_nightly</c> (or on a plan <c>-legacy</c>) stays reachable.
/// </summary>
public static class ScheduleNames
{
    /// <summary>The longest name of a new schedule (a DNS label's length).</summary>
    public const int MaxNewLength = 63;

    /// <summary>
    /// Null when <paramref name="name"/> may name a new schedule: 1 to <see cref="MaxNewLength"/> ASCII letters,
    /// digits, '-', '_' or '.', starting with a letter or digit (so never '.', '..' or a hidden-file-like name).
    /// </summary>
    public static ProblemHttpResult? CheckNew(string name) =>
        name.Length is > 0 and <= MaxNewLength && char.IsAsciiLetterOrDigit(name[0]) && name.All(Ids.IsIdChar)
            ? null
            : Problems.Field("name", $"{Quote.Of(name)} is not a valid schedule name: 1 to {MaxNewLength} ASCII letters, digits, '-', '_' or '.', starting with a letter or digit.");
}
