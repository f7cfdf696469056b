using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Orchestrator.Runtime.Durable;

/// <summary>
/// A JSON value kept as its UTF-8 text, written into the envelope as it is and read back as it was. A grain's state is
/// serialized once per turn (the snapshot a failed turn rolls back to, and the text its next write stores); keeping
/// it as text rather than a parsed <see cref="JsonElement"/> saves a second serialization per write and the parsed
/// document's memory per activation.
/// </summary>
[JsonConverter(typeof(RawJsonConverter))]
public readonly struct RawJson : IEquatable<RawJson>
{
    private readonly byte[]? _utf8;

    /// <param name="utf8">One complete JSON value (not checked: it comes from a serializer).</param>
    public RawJson(byte[] utf8) => _utf8 = utf8 ?? throw new ArgumentNullException(nameof(utf8));

    /// <summary>No value (a new grain's state before its first write).</summary>
    public bool IsEmpty => _utf8 is null || _utf8.Length == 0;

    /// <summary>The value's UTF-8 text (empty when <see cref="IsEmpty"/>).</summary>
    public ReadOnlySpan<byte> Utf8 => _utf8;

    /// <summary>Whether the value is a JSON object (its first character is <c>{</c>).</summary>
    public bool IsObject => !IsEmpty && _utf8![0] == (byte)'{';

    public static RawJson Serialize<T>(T value, JsonSerializerOptions options) => new(JsonSerializer.SerializeToUtf8Bytes(value, options));

    public T? Deserialize<T>(JsonSerializerOptions options) => IsEmpty ? default : JsonSerializer.Deserialize<T>(_utf8, options);

    /// <summary>The value parsed (dispose it).</summary>
    public JsonDocument Parse() => JsonDocument.Parse(IsEmpty ? "null"u8.ToArray() : _utf8);

    public override string ToString() => IsEmpty ? "" : Encoding.UTF8.GetString(_utf8!);

    public bool Equals(RawJson other) => Utf8.SequenceEqual(other.Utf8);

    public override bool Equals(object? obj) => obj is RawJson other && Equals(other);

    public override int GetHashCode()
    {
        var hash = new HashCode();
        hash.AddBytes(Utf8);
        return hash.ToHashCode();
    }

    public static bool operator ==(RawJson left, RawJson right) => left.Equals(right);

    public static bool operator !=(RawJson left, RawJson right) => !left.Equals(right);
}

/// <summary>Writes a <see cref="RawJson"/> as the value it holds (null when empty); reads any value into one.</summary>
public sealed class RawJsonConverter : JsonConverter<RawJson>
{
    public override bool HandleNull => true;

    public override RawJson Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        if (reader.TokenType == JsonTokenType.Null)
        {
            return default;
        }
        using var document = JsonDocument.ParseValue(ref reader);
        return new RawJson(JsonSerializer.SerializeToUtf8Bytes(document.RootElement));
    }

    public override void Write(Utf8JsonWriter writer, RawJson value, JsonSerializerOptions options)
    {
        if (value.IsEmpty)
        {
            writer.WriteNullValue();
            return;
        }
        writer.WriteRawValue(value.Utf8, skipInputValidation: true);
    }
}
