using Google.Protobuf;

namespace Orchestrator.Engine.Tests.Observability;

/// <summary>One span as an OTLP exporter sent it: ids in lowercase hex, the service that sent it, its scope (the source).</summary>
public sealed record ReceivedSpan(string TraceId, string SpanId, string ParentSpanId, string Name, string Service, string Scope,
    IReadOnlyDictionary<string, string> Attributes);

/// <summary>
/// Decodes an OTLP/HTTP protobuf <c>ExportTraceServiceRequest</c> with Google.Protobuf's wire reader, by the field
/// numbers of the public contract (opentelemetry-proto: <c>collector/trace/v1/trace_service.proto</c>,
/// <c>trace/v1/trace.proto</c>, <c>common/v1/common.proto</c>, <c>resource/v1/resource.proto</c>). Only the fields the
/// test reads are decoded; every other field is skipped by its wire type, as protobuf readers do, so a newer exporter's
/// additions change nothing. Written by hand rather than generated because the test needs a dozen fields of six
/// messages and no protoc step in the build.
/// </summary>
public static class OtlpTraceDecoder
{
    public static IReadOnlyList<ReceivedSpan> Decode(byte[] body)
    {
        var spans = new List<ReceivedSpan>();
        ForEach(body, (field, input) =>
        {
            if (field == 1) // ExportTraceServiceRequest.resource_spans
            {
                ResourceSpans(input.ReadBytes(), spans);
                return true;
            }
            return false;
        });
        return spans;
    }

    private static void ResourceSpans(ByteString message, List<ReceivedSpan> spans)
    {
        var service = "";
        var scopes = new List<ByteString>();
        ForEach(message.ToByteArray(), (field, input) =>
        {
            switch (field)
            {
                case 1: // resource
                    service = Attributes(Fields(input.ReadBytes(), 1)).GetValueOrDefault("service.name", "");
                    return true;
                case 2: // scope_spans
                    scopes.Add(input.ReadBytes());
                    return true;
                default:
                    return false;
            }
        });
        foreach (var scopeSpans in scopes)
        {
            var scope = "";
            var raw = new List<ByteString>();
            ForEach(scopeSpans.ToByteArray(), (field, input) =>
            {
                switch (field)
                {
                    case 1: // scope: InstrumentationScope.name = 1
                        scope = Fields(input.ReadBytes(), 1).Select(b => b.ToStringUtf8()).FirstOrDefault() ?? "";
                        return true;
                    case 2: // spans
                        raw.Add(input.ReadBytes());
                        return true;
                    default:
                        return false;
                }
            });
            spans.AddRange(raw.Select(s => Span(s, service, scope)));
        }
    }

    private static ReceivedSpan Span(ByteString message, string service, string scope)
    {
        string traceId = "", spanId = "", parent = "", name = "";
        var attributes = new List<ByteString>();
        ForEach(message.ToByteArray(), (field, input) =>
        {
            switch (field)
            {
                case 1: traceId = Convert.ToHexStringLower(input.ReadBytes().Span); return true;
                case 2: spanId = Convert.ToHexStringLower(input.ReadBytes().Span); return true;
                case 4: parent = Convert.ToHexStringLower(input.ReadBytes().Span); return true;
                case 5: name = input.ReadString(); return true;
                case 9: attributes.Add(input.ReadBytes()); return true;
                default: return false;
            }
        });
        return new ReceivedSpan(traceId, spanId, parent, name, service, scope, Attributes(attributes));
    }

    /// <summary>KeyValue (key = 1, value = 2: AnyValue) as text; AnyValue's string (1), bool (2), int (3) and double (4).</summary>
    private static Dictionary<string, string> Attributes(IEnumerable<ByteString> keyValues)
    {
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var keyValue in keyValues)
        {
            var key = "";
            var value = "";
            ForEach(keyValue.ToByteArray(), (field, input) =>
            {
                switch (field)
                {
                    case 1:
                        key = input.ReadString();
                        return true;
                    case 2:
                        ForEach(input.ReadBytes().ToByteArray(), (anyField, any) =>
                        {
                            switch (anyField)
                            {
                                case 1: value = any.ReadString(); return true;
                                case 2: value = any.ReadBool() ? "true" : "false"; return true;
                                case 3: value = any.ReadInt64().ToString(System.Globalization.CultureInfo.InvariantCulture); return true;
                                case 4: value = any.ReadDouble().ToString(System.Globalization.CultureInfo.InvariantCulture); return true;
                                default: return false;
                            }
                        });
                        return true;
                    default:
                        return false;
                }
            });
            result[key] = value;
        }
        return result;
    }

    /// <summary>The length-delimited values of field <paramref name="number"/> in <paramref name="message"/>.</summary>
    private static List<ByteString> Fields(ByteString message, int number)
    {
        var values = new List<ByteString>();
        ForEach(message.ToByteArray(), (field, input) =>
        {
            if (field == number)
            {
                values.Add(input.ReadBytes());
                return true;
            }
            return false;
        });
        return values;
    }

    /// <summary>Reads each field's tag; <paramref name="read"/> consumes the value or answers false to have it skipped.</summary>
    private static void ForEach(byte[] message, Func<int, CodedInputStream, bool> read)
    {
        var input = new CodedInputStream(message);
        uint tag;
        while ((tag = input.ReadTag()) != 0)
        {
            if (!read(WireFormat.GetTagFieldNumber(tag), input))
            {
                input.SkipLastField();
            }
        }
    }
}
