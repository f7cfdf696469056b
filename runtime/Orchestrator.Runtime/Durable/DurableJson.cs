using System.Text.Json;
using System.Text.Json.Serialization;

namespace Orchestrator.Runtime.Durable;

/// <summary>
/// How durable grains write JSON: their state inside the persisted envelope, and the arguments of outbox messages.
/// camelCase, enums as strings, nulls written (a property whose initializer is not null must read back as null):
/// readable in SQL by a support engineer, stable across releases.
/// </summary>
public static class DurableJson
{
    public static JsonSerializerOptions Options { get; } = Create();

    private static JsonSerializerOptions Create()
    {
        var options = new JsonSerializerOptions(JsonSerializerDefaults.Web)
        {
            Converters = { new JsonStringEnumConverter(JsonNamingPolicy.CamelCase) },
        };
        options.MakeReadOnly(populateMissingResolver: true);
        return options;
    }
}
