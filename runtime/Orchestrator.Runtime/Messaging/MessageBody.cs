using System.Text.Json;
using System.Text.Json.Serialization;
using Orchestrator.Runtime.Grains;

namespace Orchestrator.Runtime.Messaging;

/// <summary>
/// What a stored message asks of a grain: a method call, a reminder tick, or a notice that one of its messages was
/// parked (which then carries the parked message's call or reminder, and the failure). Serialized as JSON.
/// </summary>
internal sealed record MessageBody
{
    /// <summary>"call", "reminder" or "deadletter".</summary>
    [JsonPropertyName("k")] public required string Kind { get; init; }

    [JsonPropertyName("i")] public string? Interface { get; init; }

    [JsonPropertyName("m")] public string? Method { get; init; }

    /// <summary>The arguments, one JSON array (one document per message, not one per argument).</summary>
    [JsonPropertyName("a")] public JsonElement? Args { get; init; }

    [JsonPropertyName("r")] public string? Reminder { get; init; }

    [JsonPropertyName("d")] public DateTimeOffset? Due { get; init; }

    [JsonPropertyName("x")] public int Missed { get; init; }

    /// <summary>A dead-letter notice: the parked message's id, its last error, attempts and when it was parked.</summary>
    [JsonPropertyName("dl")] public long? ParkedMessageId { get; init; }

    [JsonPropertyName("e")] public string? Error { get; init; }

    [JsonPropertyName("n")] public int Attempts { get; init; }

    [JsonPropertyName("t")] public DateTimeOffset? ParkedAt { get; init; }

    public const string CallKind = "call";
    public const string ReminderKind = "reminder";
    public const string DeadLetterKind = "deadletter";

    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public byte[] ToBytes() => JsonSerializer.SerializeToUtf8Bytes(this, Json);

    public static MessageBody Parse(byte[] payload)
    {
        MessageBody? body;
        try
        {
            body = JsonSerializer.Deserialize<MessageBody>(payload, Json);
        }
        catch (JsonException ex)
        {
            throw new InvalidMessageException($"The message payload is not valid JSON: {ex.Message}", ex);
        }
        if (body is null || (body.Kind != CallKind && body.Kind != ReminderKind && body.Kind != DeadLetterKind))
        {
            throw new InvalidMessageException($"The message payload has no known kind ('{body?.Kind}'); expected '{CallKind}' or '{ReminderKind}'.");
        }
        return body;
    }
}
