using Orchestrator.Plans.Validation;

namespace Orchestrator.Api.Common;

/// <summary>
/// What identifiers in paths and bodies may be. Plan and task instance ids: 1 to <see cref="ApiLimits.MaxIdLength"/>
/// ASCII letters, digits, <c>-</c>, <c>_</c> and <c>.</c>. A new id must also start with a letter or digit
/// (<see cref="IsValidNew"/>); an existing resource stays addressable by the alphabet it was created under
/// (<see cref="IsValid"/>: <c>_template</c>, <c>-x</c>, <c>.hidden</c>), except ids made only of dots (<c>.</c>,
/// <c>..</c>), which a URL cannot carry as a path segment. Host names follow the one rule agents, plans and the API
/// share (<see cref="HostNames"/>). Step indexes: whole numbers from 0.
/// </summary>
public static class Ids
{
    /// <summary>The rule for an id that addresses a resource, as error messages state it.</summary>
    public const string Rule = "1 to 128 ASCII letters, digits, '-', '_' or '.', not only dots";

    /// <summary>The rule for an id that creates a resource, as error messages state it.</summary>
    public const string NewRule = "1 to 128 ASCII letters, digits, '-', '_' or '.', starting with a letter or digit";

    /// <summary>An id of an existing resource: the alphabet, not only dots.</summary>
    public static bool IsValid(string? id, int maxLength = ApiLimits.MaxIdLength) =>
        id is { Length: > 0 } && id.Length <= maxLength && id.All(IsIdChar) && id.AsSpan().ContainsAnyExcept('.');

    /// <summary>An id a new resource may be given: <see cref="IsValid"/> and starting with a letter or digit.</summary>
    public static bool IsValidNew(string? id, int maxLength = ApiLimits.MaxIdLength) =>
        IsValid(id, maxLength) && char.IsAsciiLetterOrDigit(id![0]);

    public static bool IsIdChar(char c) => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.';

    /// <summary>Null when <paramref name="id"/> may name an existing resource; else the 400 naming <paramref name="field"/>.</summary>
    public static ProblemHttpResult? Check(string field, string? id) => CheckId(field, id) is { } error ? Problems.From(error) : null;

    public static InputError? CheckId(string field, string? id) =>
        IsValid(id) ? null : InputError.BadRequest(field, $"{Quote.Of(id)} is not a valid id: {Rule}.");

    /// <summary>Null when <paramref name="id"/> may be given to a new resource; else the 400 naming <paramref name="field"/>.</summary>
    public static ProblemHttpResult? CheckNew(string field, string? id) =>
        IsValidNew(id) ? null : Problems.Field(field, $"{Quote.Of(id)} is not a valid id for a new resource: {NewRule}.");

    /// <summary>A host name in a path (<c>/hosts/{host}</c>).</summary>
    public static ProblemHttpResult? CheckHost(string field, string? host) =>
        HostNames.IsValid(host)
            ? null
            : Problems.Field(field, $"{Quote.Of(host)} is not a host name: {HostNames.Rule}.");

    /// <summary>A host target's name in a path: a host name, or <c>@srcN</c> for a file distribution's source.</summary>
    public static ProblemHttpResult? CheckTarget(string field, string? name) =>
        HostNames.IsValid(name) || IsSourceTarget(name)
            ? null
            : Problems.Field(field, $"{Quote.Of(name)} is not a target: a host name ({HostNames.Rule}) or @srcN.");

    /// <summary>A step index in a path: digits only, 0 to <see cref="int.MaxValue"/>.</summary>
    public static ProblemHttpResult? CheckStep(string field, string? text, out int step)
    {
        if (QueryValues.TryWhole(text, 0, int.MaxValue, out var value))
        {
            step = (int)value;
            return null;
        }
        step = 0;
        return Problems.Field(field, $"{Quote.Of(text)} is not a step index: a whole number from 0.");
    }

    private static bool IsSourceTarget(string? name) =>
        name is { Length: > 4 and <= 12 } && name.StartsWith("@src", StringComparison.Ordinal) && name.AsSpan(4).ContainsOnlyDigits();

    private static bool ContainsOnlyDigits(this ReadOnlySpan<char> span)
    {
        foreach (var c in span)
        {
            if (!char.IsAsciiDigit(c))
            {
                return false;
            }
        }
        return true;
    }
}
