using System.Globalization;

namespace Orchestrator.GrainInterfaces;

/// <summary>
/// The key of an output group: the hosts of a step whose final report had the same output digest, exit code and status
/// (<c>&lt;16 hex digits&gt;.&lt;exit code or x&gt;.&lt;status number&gt;</c>, e.g. <c>e3b0c44298fc1c14.0.10</c>). Safe in
/// a URL and an index partition as it is. Pure.
/// </summary>
public static class OutputGroupKey
{
    /// <summary>Hex digits of the output's SHA-256 kept in a key (64 bits: a collision among a step's outputs is not a concern).</summary>
    public const int DigestLength = 16;

    /// <summary>The longest key there is (the API refuses longer ones before parsing).</summary>
    public const int MaxLength = DigestLength + 1 + 11 + 1 + 3;

    public static string Of(string digest, int? exitCode, TargetStatus status)
    {
        ArgumentNullException.ThrowIfNull(digest);
        return string.Create(CultureInfo.InvariantCulture, $"{digest}.{(exitCode is { } code ? code.ToString(CultureInfo.InvariantCulture) : "x")}.{(int)status}");
    }

    /// <summary>Splits a key; false if it is not one.</summary>
    public static bool TryParse(string? key, out string digest, out int? exitCode, out TargetStatus status)
    {
        digest = "";
        exitCode = null;
        status = default;
        if (key is null || key.Length > MaxLength)
        {
            return false;
        }
        var parts = key.Split('.');
        if (parts.Length != 3 || parts[0].Length != DigestLength || !parts[0].All(char.IsAsciiHexDigitLower))
        {
            return false;
        }
        if (parts[1] != "x")
        {
            if (!int.TryParse(parts[1], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var code)
                || code.ToString(CultureInfo.InvariantCulture) != parts[1])
            {
                return false;
            }
            exitCode = code;
        }
        if (!int.TryParse(parts[2], NumberStyles.None, CultureInfo.InvariantCulture, out var s) || !Enum.IsDefined((TargetStatus)s)
            || s.ToString(CultureInfo.InvariantCulture) != parts[2])
        {
            return false;
        }
        digest = parts[0];
        status = (TargetStatus)s;
        return true;
    }
}

/// <summary>
/// Hosts of a step with identical output, exit code and status: how many, the start of the output, and one of them.
/// </summary>
[GenerateSerializer]
public sealed record OutputGroup(string Key, string Digest, int? ExitCode, TargetStatus Status, int Count, string? Excerpt, string SampleHost);

/// <summary>
/// A step's output groups, largest first; <see cref="Other"/> counts hosts whose group did not fit in the step's
/// bound (<see cref="MaxGroups"/>), <see cref="Grouped"/> every host in a group or in <see cref="Other"/>.
/// </summary>
[GenerateSerializer]
public sealed record StepGroupsView(int Attempt, IReadOnlyList<OutputGroup> Groups, int Other, int Grouped, int MaxGroups);
