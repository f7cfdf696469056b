using System.Text.Json;
using Orchestrator.Runtime.Durable;

namespace Orchestrator.Runtime.Tests.Durable;

/// <summary>The envelope keeps a grain's state and a message's arguments as UTF-8 JSON text; stored rows read back as they were.</summary>
public sealed class RawJsonTests
{
    private sealed record Sample(string Name, int Count, List<string> Tags);

    [Fact]
    public void Envelope_WithRawState_RoundTripsTheStateExactly()
    {
        var state = RawJson.Serialize(new Sample("a\u00e9\"b", 3, ["x", "y"]), DurableJson.Options);
        var envelope = new DurableEnvelope { State = state, NextSeq = 7 };

        var json = JsonSerializer.Serialize(envelope, DurableJson.Options);
        var back = JsonSerializer.Deserialize<DurableEnvelope>(json, DurableJson.Options)!;

        var read = back.State.Deserialize<Sample>(DurableJson.Options)!;
        Assert.Equal(("a\u00e9\"b", 3), (read.Name, read.Count));
        Assert.Equal(["x", "y"], read.Tags);
        Assert.Equal(state, back.State);
        Assert.True(back.State.IsObject);
        Assert.Equal(7, back.NextSeq);
        // The state is stored as a JSON object inside the envelope, as it was when it was a JsonElement.
        using var document = JsonDocument.Parse(json);
        Assert.Equal(JsonValueKind.Object, document.RootElement.GetProperty("state").ValueKind);
    }

    [Fact]
    public void Envelope_WithoutState_WritesNullAndReadsBackEmpty()
    {
        var json = JsonSerializer.Serialize(new DurableEnvelope(), DurableJson.Options);
        var back = JsonSerializer.Deserialize<DurableEnvelope>(json, DurableJson.Options)!;

        Assert.True(back.State.IsEmpty);
        Assert.False(back.State.IsObject);
        Assert.Null(back.State.Deserialize<Sample>(DurableJson.Options));
    }

    [Fact]
    public void Envelope_StoredWithWhitespaceAndEscapes_ReadsTheSameValue()
    {
        // A row written by an older build or by hand: any valid JSON value is accepted and kept compact.
        const string stored = """{ "state" : { "name" : "q\u0022", "count" : 2, "tags" : [ ] }, "nextSeq": 1 }""";

        var back = JsonSerializer.Deserialize<DurableEnvelope>(stored, DurableJson.Options)!;

        Assert.Equal(("q\"", 2), (back.State.Deserialize<Sample>(DurableJson.Options)!.Name, back.State.Deserialize<Sample>(DurableJson.Options)!.Count));
        Assert.DoesNotContain(" ", back.State.ToString(), StringComparison.Ordinal);
    }
}
