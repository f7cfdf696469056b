using Orchestrator.Api.Common;

namespace Orchestrator.Api.Schedules;

/// <summary>
/// Names in the paths of the schedules API. A new schedule's name is held to the strict rule; a plan id and the name
/// of a schedule that exists are read with the alphabet every earlier version saved them with, so a schedule named
/// <c>_nightly</c> (or on a plan <c>-legacy</c>) stays reachable, and never a name a store could not hold.
/// </summary>
public static class ScheduleNames
{
    /// <summary>The longest name of a new schedule (a DNS label's length).</summary>
    public const int MaxNewLength = 63;

    /// <summary>
    /// Null when <paramref name="name"/> may name a new schedule: 1 to <see cref="MaxNewLength"/> ASCII letters,
    /// digits, '-', '_' or '.', starting with a letter or digit (so never '.', '..' or a hidden-file-like name).
    /// </summary>
    public static IResult? CheckNew(string name) =>
        name.Length is > 0 and <= MaxNewLength && char.IsAsciiLetterOrDigit(name[0]) && name.All(Ids.IsIdChar)
            ? null
            : Problems.Field("name", $"{Quote.Of(name)} is not a valid schedule name: 1 to {MaxNewLength} ASCII letters, digits, '-', '_' or '.', starting with a letter or digit.");

    /// <summary>
    /// Whether <paramref name="id"/> is a plan id or schedule name as saved before the strict rule: 1 to
    /// <see cref="ApiLimits.MaxIdLength"/> ASCII letters, digits, '-', '_' or '.', but not '.' or '..' (path segments,
    /// never a name).
    /// </summary>
    public static bool IsSaved(string id) =>
        id.Length is > 0 and <= ApiLimits.MaxIdLength && id is not ("." or "..") && id.All(Ids.IsIdChar);

    /// <summary>Null when <paramref name="id"/> may name an existing plan or schedule (<see cref="IsSaved"/>); else the 400 naming <paramref name="field"/>.</summary>
    public static IResult? CheckSaved(string field, string id) =>
        IsSaved(id)
            ? null
            : Problems.Field(field, $"{Quote.Of(id)} is not a valid id: 1 to {ApiLimits.MaxIdLength} ASCII letters, digits, '-', '_' or '.'.");
}
