using System.Text.Json;
using System.Text.Json.Serialization;

namespace Orchestrator.Grains.Common;

/// <summary>Shared bits of the domain grains.</summary>
internal static class DomainJson
{
    /// <summary>Index row data is JSON text in this shape (camelCase, enums as strings).</summary>
    public static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web)
    {
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.CamelCase) },
    };

    public static string Serialize<T>(T value) => JsonSerializer.Serialize(value, Options);

    public static T Deserialize<T>(string json) => JsonSerializer.Deserialize<T>(json, Options)!;
}
