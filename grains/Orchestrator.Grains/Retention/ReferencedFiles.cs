using Orchestrator.Plans.Model;

namespace Orchestrator.Grains.Retention;

/// <summary>The uploaded files (SHA-256, lowercase hex) a plan names in its file distribution steps.</summary>
internal static class ReferencedFiles
{
    public static IEnumerable<string> Of(PlanDefinition? plan) =>
        plan is null ? [] : plan.Steps.SelectMany(s => s.Files?.Sources ?? []).Select(f => f.Sha256).OfType<string>().Select(s => s.ToLowerInvariant());

    /// <summary>Whether a value looks like a file's hash (64 hex digits): an output naming an uploaded file.</summary>
    public static bool IsSha256(string value) => value.Length == 64 && value.All(char.IsAsciiHexDigitLower);
}
