using System.Globalization;
using System.Text.Json;
using Microsoft.AspNetCore.Http.Features;
using Orchestrator.Agent.Protocol;
using Orchestrator.Api.Common;

namespace Orchestrator.Api.Agents;

/// <summary>
/// Reads and checks the bodies of agent requests (docs/agent-protocol.md, "Limits"). A body that is not JSON, too
/// large, or whose envelope (session, host list, numbers) breaks a rule is refused whole, naming the field; items of
/// an /events or /logs batch are checked one by one, so one bad item is refused alone (<see cref="ItemProblem"/>).
/// Text is read leniently and cleaned (<see cref="ProtocolText"/>), so no bytes a client sends make a store throw.
/// </summary>
internal static class AgentRequests
{
    /// <summary>Largest register body: a simulated fleet registers up to a million hosts in one call.</summary>
    public const long MaxRegisterBytes = 128L * 1024 * 1024;

    /// <summary>Largest heartbeat or poll body (the host list, and a poll's running ids).</summary>
    public const long MaxSessionCallBytes = 64L * 1024 * 1024;

    public const long MaxEventsBytes = 32L * 1024 * 1024;

    /// <summary>Largest /logs body: 8 Mi characters of text, which JSON may escape to six bytes each.</summary>
    public const long MaxLogsBytes = 64L * 1024 * 1024;

    /// <summary>Most field errors one answer lists.</summary>
    private const int MaxErrorsShown = 20;

    private static readonly string[] Streams = ["stdout", "stderr", "system"];

    /// <summary>The body as JSON, or the problem to answer (415, 413 or 400 naming what is wrong).</summary>
    public static async Task<(JsonDocument? Document, ProblemHttpResult? Problem)> ReadAsync(HttpRequest request, long maxBytes, CancellationToken cancellationToken)
    {
        if (!request.HasJsonContentType())
        {
            return (null, Status(StatusCodes.Status415UnsupportedMediaType, "Content-Type",
                request.ContentType is null ? "is missing; the agent protocol takes application/json." : $"is {Quote.Of(request.ContentType)}; the agent protocol takes application/json."));
        }
        if (request.HttpContext.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } size)
        {
            size.MaxRequestBodySize = maxBytes;
        }
        // The body streams into the parser; the probe only remembers whether it held anything but white space.
        var body = new BodyProbe(request.Body);
        try
        {
            return (await JsonDocument.ParseAsync(body, default, cancellationToken).ConfigureAwait(false), null);
        }
        catch (JsonException ex)
        {
            return (null, !body.SawBytes ? Problems.Field("body", "is required: a JSON object.")
                : !body.SawContent ? Problems.Field("body", "is only white space; a JSON object is required.")
                : Problems.Field("body", string.Create(CultureInfo.InvariantCulture,
                    $"is not valid JSON at line {ex.LineNumber + 1}, byte {ex.BytePositionInLine + 1}: {Reason(ex.Message)}")));
        }
        catch (BadHttpRequestException ex) when (ex.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            return (null, Status(StatusCodes.Status413PayloadTooLarge, "body", $"is larger than {maxBytes} bytes."));
        }
    }

    /// <summary>A 400 listing the errors (at most twenty).</summary>
    public static ProblemHttpResult Invalid(List<FieldError> errors) => Problems.Validation(errors.Take(MaxErrorsShown));

    public static RegisterRequest? Register(JsonElement root, List<FieldError> errors)
    {
        if (JsonFields.Of(root, "", errors) is not { } body)
        {
            return null;
        }
        var session = SessionId(body);
        var version = body.String("agentVersion", required: false, ProtocolLimits.MaxAgentVersionLength) ?? "";
        if (AgentIds.CheckAgentVersion(version) is { } badVersion)
        {
            body.Error("agentVersion", badVersion);
        }
        var ns = body.String("namespace", required: false, 64);
        if (ns is not null && ProtocolNames.CheckNamespace(ns) is { } badNamespace)
        {
            body.Error("namespace", badNamespace);
        }
        var hosts = new List<AgentHost>();
        if (body.Array("hosts", required: true, ProtocolLimits.MaxHostsPerRequest) is { } array)
        {
            var seen = new HashSet<string>(StringComparer.Ordinal);
            var index = 0;
            foreach (var item in array.EnumerateArray())
            {
                var path = Indexed(body.Path("hosts"), index++);
                if (JsonFields.Of(item, path, errors) is not { } host)
                {
                    continue;
                }
                var name = host.String("host", required: true, ProtocolLimits.MaxHostNameLength);
                if (name is not null && (AgentIds.CheckHost(name) ?? (seen.Add(name) ? null : $"'{name}' is listed twice.")) is { } badHost)
                {
                    host.Error("host", badHost);
                }
                var labels = host.StringMap("labels", ProtocolLimits.MaxLabelsPerHost) ?? [];
                foreach (var (key, value) in labels)
                {
                    if (AgentIds.CheckLabel(key, value) is { } badLabel)
                    {
                        errors.Add(new FieldError(host.KeyPath("labels", key), badLabel));
                    }
                }
                var capacity = host.Integer("capacity", required: true, 1, ProtocolLimits.MaxCapacity);
                if (name is not null && capacity is not null)
                {
                    hosts.Add(new AgentHost(name, labels, (int)capacity));
                }
                if (errors.Count > MaxErrorsShown)
                {
                    break;
                }
            }
            if (index == 0)
            {
                body.Error("hosts", "needs at least one host.");
            }
        }
        return errors.Count == 0 ? new RegisterRequest(session!, version, hosts) { Namespace = ns } : null;
    }

    public static HeartbeatRequest? Heartbeat(JsonElement root, List<FieldError> errors)
    {
        if (JsonFields.Of(root, "", errors) is not { } body)
        {
            return null;
        }
        var session = SessionId(body);
        var hosts = Hosts(body);
        var draining = body.Bool("draining", required: false) ?? false;
        return errors.Count == 0 ? new HeartbeatRequest(session!, hosts!, draining) : null;
    }

    public static PollRequest? Poll(JsonElement root, List<FieldError> errors)
    {
        if (JsonFields.Of(root, "", errors) is not { } body)
        {
            return null;
        }
        var session = SessionId(body);
        var hosts = Hosts(body);
        var running = body.StringArray("running", required: false, ProtocolLimits.MaxAssignmentsPerPoll, 0,
            id => id.Length is 0 or > ProtocolLimits.MaxAssignmentIdLength ? $"must be 1 to {ProtocolLimits.MaxAssignmentIdLength} characters." : null) ?? [];
        var wait = body.Integer("waitMs", required: true, 0, ProtocolLimits.MaxPollWaitMs);
        var max = body.Integer("maxAssignments", required: true, 0, ProtocolLimits.MaxAssignmentsPerPoll);
        return errors.Count == 0 ? new PollRequest(session!, hosts!, running, (int)wait!, (int)max!) : null;
    }

    /// <summary>The session id and the events that pass their rules; the others are in <paramref name="refused"/>.</summary>
    public static (string SessionId, List<(int Index, AgentEvent Event, string TargetKey)> Events)? Events(JsonElement root, DateTimeOffset now,
        List<FieldError> errors, List<ItemProblem> refused)
    {
        if (JsonFields.Of(root, "", errors) is not { } body)
        {
            return null;
        }
        var session = SessionId(body);
        var array = body.Array("events", required: true, ProtocolLimits.MaxEventsPerRequest);
        if (errors.Count > 0 || array is not { } items)
        {
            return null;
        }
        var events = new List<(int, AgentEvent, string)>(items.GetArrayLength());
        var index = 0;
        foreach (var item in items.EnumerateArray())
        {
            var itemErrors = new List<FieldError>();
            if (AgentEventReader.Read(item, Indexed("events", index), now, itemErrors) is { } read && itemErrors.Count == 0)
            {
                events.Add((index, read.Event, read.TargetKey));
            }
            else
            {
                refused.Add(Refusal(index, itemErrors));
            }
            index++;
        }
        return (session!, events);
    }

    /// <summary>The session id and the chunks that pass their rules; the others are in <paramref name="refused"/>.</summary>
    public static (string SessionId, List<(int Index, LogChunkDto Chunk)> Chunks)? Logs(JsonElement root, DateTimeOffset now, List<FieldError> errors,
        List<ItemProblem> refused)
    {
        if (JsonFields.Of(root, "", errors) is not { } body)
        {
            return null;
        }
        var session = SessionId(body);
        var array = body.Array("chunks", required: true, ProtocolLimits.MaxChunksPerRequest);
        if (errors.Count > 0 || array is not { } items)
        {
            return null;
        }
        var chunks = new List<(int, LogChunkDto)>(items.GetArrayLength());
        var index = 0;
        long chars = 0;
        foreach (var item in items.EnumerateArray())
        {
            var itemErrors = new List<FieldError>();
            if (Chunk(item, Indexed("chunks", index), now, itemErrors) is { } chunk && itemErrors.Count == 0)
            {
                chunks.Add((index, chunk));
                chars += chunk.Text.Length;
            }
            else
            {
                refused.Add(Refusal(index, itemErrors));
            }
            index++;
        }
        if (chars > ProtocolLimits.MaxLogCharsPerRequest)
        {
            body.Error("chunks", string.Create(CultureInfo.InvariantCulture,
                $"hold {chars} characters of text; at most {ProtocolLimits.MaxLogCharsPerRequest} are allowed per request."));
            return null;
        }
        return (session!, chunks);
    }

    private static LogChunkDto? Chunk(JsonElement item, string path, DateTimeOffset now, List<FieldError> errors)
    {
        if (JsonFields.Of(item, path, errors) is not { } chunk)
        {
            return null;
        }
        var id = chunk.String("assignmentId", required: true, ProtocolLimits.MaxAssignmentIdLength);
        if (id is not null && AgentIds.CheckAssignment(id, out _) is { } badId)
        {
            chunk.Error("assignmentId", badId);
        }
        var seq = chunk.Integer("seq", required: true, 0, ProtocolLimits.MaxSeq);
        var at = chunk.Time("at", required: true, now);
        var stream = chunk.String("stream", required: true, 16);
        if (stream is not null && !Streams.Contains(stream, StringComparer.Ordinal))
        {
            chunk.Error("stream", $"is '{stream}'; it must be stdout, stderr or system.");
        }
        var text = chunk.String("text", required: true, ProtocolLimits.MaxChunkChars);
        return errors.Count == 0 ? new LogChunkDto(id!, seq!.Value, at!.Value, stream!, text!) : null;
    }

    private static string? SessionId(JsonFields body)
    {
        var session = body.String("sessionId", required: true, ProtocolLimits.MaxSessionIdLength);
        if (session is not null && AgentIds.CheckSession(session) is { } bad)
        {
            body.Error("sessionId", bad);
            return null;
        }
        return session;
    }

    private static List<string>? Hosts(JsonFields body) =>
        body.StringArray("hosts", required: true, ProtocolLimits.MaxHostsPerRequest, minCount: 1, AgentIds.CheckHost);

    private static ItemProblem Refusal(int index, List<FieldError> errors) =>
        new(index, errors.Count > 0 ? errors[0].Path : null, errors.Count > 0 ? string.Join(" ", errors.Take(3).Select(e => $"{e.Path}: {e.Message}")) : "is not valid.");

    private static string Indexed(string path, int index) => string.Create(CultureInfo.InvariantCulture, $"{path}[{index}]");

    /// <summary>
    /// A parser's message without the position it appends (" LineNumber: 0 | BytePositionInLine: 3.", which the
    /// error states itself), control characters escaped and cut: it may quote a character of the body.
    /// </summary>
    private static string Reason(string message)
    {
        var cut = message.IndexOf(" Path:", StringComparison.Ordinal) is >= 0 and var path ? path : message.IndexOf(" LineNumber:", StringComparison.Ordinal);
        var reason = cut < 0 ? message : message[..cut];
        return reason.Length <= 200 && !reason.Any(char.IsControl) ? reason : Quote.Of(reason);
    }

    private static ProblemHttpResult Status(int status, string field, string message) => Problems.WithStatus(status, [new FieldError(field, message)]);
}
