namespace Orchestrator.Grains.Common;

/// <summary>Enum values as the API and hooks spell them: camelCase (<c>timedOut</c>).</summary>
internal static class EnumText
{
    public static string Camel(Enum value)
    {
        var name = value.ToString();
        return char.ToLowerInvariant(name[0]) + name[1..];
    }
}
