using System.Globalization;
using System.Text.Json;
using Orchestrator.Runtime.Durable;
using Orchestrator.Runtime.Indexes;

namespace Orchestrator.GrainInterfaces;

/// <summary>
/// The outcome of a command sent with a request id: grains keep the last ones in their state so that a caller can
/// wait for its command to be applied and learn what happened (commands themselves are one-way).
/// Code is HTTP-like: 200 done, 400 invalid, 403 not allowed, 404 unknown, 409 conflict with the current state.
/// </summary>
[GenerateSerializer]
public sealed record RequestResult(string RequestId, int Code, string? Error, string? Value)
{
    public bool Ok => Code is >= 200 and < 300;

    public static RequestResult Done(string requestId, string? value = null) => new(requestId, 200, null, value);

    public static RequestResult Fail(string requestId, int code, string error) => new(requestId, code, error, null);
}

/// <summary>Request ids: those a client's <c>Idempotency-Key</c> names are kept for the idempotency window.</summary>
public static class RequestIds
{
    /// <summary>What starts a request id derived from a client's key (the API's <c>IdempotencyKey.RequestId</c>).</summary>
    public const string ClientKeyPrefix = "k";

    /// <summary>
    /// Whether a client may retry this request id: one derived from an <c>Idempotency-Key</c>. Every other id is new per
    /// call (a GUID's 32 hex digits, or a grain's own), so nobody can send it again later.
    /// </summary>
    public static bool IsClientKey(string requestId) =>
        requestId is { Length: > 1 } && requestId.StartsWith(ClientKeyPrefix, StringComparison.Ordinal);
}

/// <summary>One outcome in a <see cref="RequestLog"/>, with when it was recorded (null in states written before it was kept).</summary>
public sealed record RequestLogEntry(string RequestId, int Code, string? Error, string? Value, DateTimeOffset? At)
{
    public RequestResult ToResult() => new(RequestId, Code, Error, Value);

    /// <summary>Whether a retry at <paramref name="now"/> still gets this outcome (an entry of unknown time does).</summary>
    public bool Within(DateTimeOffset now, TimeSpan window) => At is not { } at || now - at < window;
}

/// <summary>
/// The outcomes of a grain's commands, for the idempotency window (<c>IdempotencyOptions.IdempotencyWindow</c>, 24 h by
/// default). The last <see cref="Capacity"/> outcomes stay in the grain's state (every command's write carries them, so
/// they are few); an outcome pushed out while still inside the window is moved to an index row of kind
/// <see cref="IndexKinds.Request"/> (partition the grain id, key the request id, status the minute it was recorded),
/// written in the same turn, if a client can retry it (<see cref="RequestIds.IsClientKey"/>). A lookup that misses the
/// state reads that row only when the grain ever moved one (<see cref="IndexedSince"/>), so quiet grains never read the
/// index. Nothing older than the window is answered, wherever it is kept; rows past it are deleted by the grain's next
/// command once the oldest one is more than <see cref="PruneSlack"/> past the window (see the grains' <c>RequestGrain</c>).
/// </summary>
public sealed class RequestLog
{
    /// <summary>Outcomes kept in state: enough for the API to read its command's outcome right after it.</summary>
    public const int Capacity = 32;

    /// <summary>How far past the window the oldest index row may get before a command deletes the expired ones.</summary>
    public static readonly TimeSpan PruneSlack = TimeSpan.FromHours(1);

    /// <summary>Outcomes moved to index rows by this activation and maybe not yet committed (a lookup sees them meanwhile).</summary>
    private readonly List<RequestLogEntry> _moved = [];

    /// <summary>The latest outcomes, oldest first. (The name is the one states were written with.)</summary>
    public List<RequestLogEntry> Results { get; set; } = [];

    /// <summary>
    /// Null while no outcome was ever moved to an index row; else no row older than this is left (rows newer may be).
    /// Once set it stays set: a lookup that misses the state then reads the index.
    /// </summary>
    public DateTimeOffset? IndexedSince { get; set; }

    /// <summary>The outcome of <paramref name="requestId"/> if it is in state (or moved by this activation) and within the window.</summary>
    public RequestResult? Find(string requestId, DateTimeOffset now, TimeSpan window)
    {
        var entry = Results.FindLast(r => r.RequestId == requestId) ?? _moved.FindLast(r => r.RequestId == requestId);
        return entry is not null && entry.Within(now, window) ? entry.ToResult() : null;
    }

    /// <summary>Whether an outcome not in state may still be in an index row: a client's key, on a grain that moved some.</summary>
    public bool MayBeIndexed(string requestId) => IndexedSince is not null && RequestIds.IsClientKey(requestId);

    /// <summary>Whether the oldest index row may be more than <see cref="PruneSlack"/> past the window: time to delete.</summary>
    public bool PruneDue(DateTimeOffset now, TimeSpan window) => IndexedSince is { } since && now - since > window + PruneSlack;

    /// <summary>
    /// Records <paramref name="result"/> at <paramref name="now"/>, drops outcomes past the window, and returns the index
    /// rows (partition <paramref name="partition"/>) of those pushed out of state while still inside it: the caller
    /// writes them in the same turn.
    /// </summary>
    public IReadOnlyList<IndexRow> Add(RequestResult result, DateTimeOffset now, TimeSpan window, string partition)
    {
        ArgumentNullException.ThrowIfNull(result);
        Results.Add(new RequestLogEntry(result.RequestId, result.Code, result.Error, result.Value, now));
        Results.RemoveAll(r => !r.Within(now, window));
        List<IndexRow>? rows = null;
        while (Results.Count > Capacity)
        {
            var evicted = Results[0];
            Results.RemoveAt(0);
            if (!RequestIds.IsClientKey(evicted.RequestId))
            {
                continue;
            }
            var moved = evicted with { At = evicted.At ?? now };
            (rows ??= []).Add(ToRow(moved, partition));
            _moved.Add(moved);
            if (_moved.Count > Capacity)
            {
                _moved.RemoveAt(0);
            }
            IndexedSince = IndexedSince is { } since && since < moved.At!.Value ? since : moved.At;
        }
        return rows ?? (IReadOnlyList<IndexRow>)[];
    }

    /// <summary>The outcome an index row holds, if it is still within the window at <paramref name="now"/>.</summary>
    public static RequestResult? FromRow(IndexRow row, DateTimeOffset now, TimeSpan window)
    {
        ArgumentNullException.ThrowIfNull(row);
        var entry = row.Data is null ? null : JsonSerializer.Deserialize<RequestLogEntry>(row.Data, DurableJson.Options);
        return entry is not null && entry.Within(now, window) ? entry.ToResult() : null;
    }

    /// <summary>When the outcome of a row was recorded (to the minute: its status), read without its data.</summary>
    public static DateTimeOffset RecordedAt(IndexRow row)
    {
        ArgumentNullException.ThrowIfNull(row);
        return DateTimeOffset.FromUnixTimeSeconds(row.Status * 60L);
    }

    private static IndexRow ToRow(RequestLogEntry entry, string partition) =>
        new(IndexKinds.Request, partition, entry.RequestId, (int)(entry.At!.Value.ToUnixTimeSeconds() / 60),
            JsonSerializer.Serialize(entry, DurableJson.Options));
}
