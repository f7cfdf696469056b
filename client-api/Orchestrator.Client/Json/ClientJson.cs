using System.Text.Json;
using System.Text.Json.Serialization;

namespace Orchestrator.Client.Json;

/// <summary>The API's JSON: camelCase names, enums as camelCase strings (unknown names read as <c>Unknown</c>), nulls left out.</summary>
internal static class ClientJson
{
    public static readonly JsonSerializerOptions Options = Create();

    private static JsonSerializerOptions Create()
    {
        var options = new JsonSerializerOptions(JsonSerializerDefaults.Web)
        {
            DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        };
        options.Converters.Add(new LenientEnumConverterFactory());
        return options;
    }
}

/// <summary>
/// Enums as camelCase strings; a name this client does not know (a status a newer server added) reads as the enum's
/// <c>Unknown</c> member (-1) instead of failing the whole reply.
/// </summary>
internal sealed class LenientEnumConverterFactory : JsonConverterFactory
{
    public override bool CanConvert(Type typeToConvert) => typeToConvert.IsEnum;

    public override JsonConverter CreateConverter(Type typeToConvert, JsonSerializerOptions options) =>
        (JsonConverter)Activator.CreateInstance(typeof(LenientEnumConverter<>).MakeGenericType(typeToConvert))!;

    private sealed class LenientEnumConverter<T> : JsonConverter<T> where T : struct, Enum
    {
        public override T Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
        {
            if (reader.TokenType == JsonTokenType.Number && reader.TryGetInt32(out var number))
            {
                return (T)Enum.ToObject(typeof(T), number);
            }
            var text = reader.GetString();
            return Enum.TryParse<T>(text, ignoreCase: true, out var value) && !int.TryParse(text, out _) ? value : (T)Enum.ToObject(typeof(T), -1);
        }

        public override void Write(Utf8JsonWriter writer, T value, JsonSerializerOptions options) => writer.WriteStringValue(Name(value));

        internal static string Name(T value)
        {
            var name = value.ToString();
            return char.ToLowerInvariant(name[0]) + name[1..];
        }
    }
}
