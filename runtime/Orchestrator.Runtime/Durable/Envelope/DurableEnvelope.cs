using System.Text.Json;
using System.Text.Json.Serialization;
using Orchestrator.Runtime.Indexes;
using Orchestrator.Runtime.Persistence;

namespace Orchestrator.Runtime.Durable;

/// <summary>
/// What a durable grain persists in one write: its domain <see cref="State"/> (already JSON, kept as UTF-8 text), the outbox of messages it
/// decided to send, the dedupe keys it applied, its wake-ups, and — not serialized — the index rows to commit with it
/// (<see cref="IIndexedState"/>: the storage provider writes them in the same transaction). The grain hands the provider
/// a fresh envelope per write, a snapshot taken between turns, so turns that run while a write is in flight never touch
/// what is being written.
/// </summary>
public sealed class DurableEnvelope : IIndexedState
{
    /// <summary>The grain's state, written with <see cref="DurableJson.Options"/>; undefined before the first write.</summary>
    public RawJson State { get; set; }

    /// <summary>Messages decided and not yet acknowledged, in sequence order.</summary>
    public List<OutboxEntry> Outbox { get; set; } = [];

    /// <summary>The sequence number the next outbox message gets; never reused.</summary>
    public long NextSeq { get; set; } = 1;

    /// <summary>Dedupe keys of messages applied, oldest first (bounded, see <see cref="DurableOptions.AppliedKeysLimit"/>).</summary>
    public List<AppliedKey> Applied { get; set; } = [];

    /// <summary>Armed wake-ups by name.</summary>
    public Dictionary<string, WakeUpEntry> WakeUps { get; set; } = new(StringComparer.Ordinal);

    /// <summary>The key of this grain's <c>wakeup</c> index row as last written (its earliest due time), if any.</summary>
    public string? WakeUpRow { get; set; }

    /// <summary>The key of this grain's <c>outbox</c> index row as last written (its earliest pending attempt), if any.</summary>
    public string? OutboxRow { get; set; }

    /// <summary>Index changes to commit with this write, oldest first.</summary>
    [JsonIgnore]
    public List<IndexWrite> IndexWrites { get; set; } = [];

    IReadOnlyList<IndexWrite> IIndexedState.PendingIndexWrites => IndexWrites;

    void IIndexedState.IndexWritesCommitted(int count) => IndexWrites.RemoveRange(0, Math.Min(count, IndexWrites.Count));
}

/// <summary>A message a turn decided to send: a call of <see cref="Method"/> on <see cref="Interface"/> of grain <see cref="Target"/>.</summary>
public sealed class OutboxEntry
{
    /// <summary>Order of decision within the sending grain.</summary>
    public long Seq { get; set; }

    /// <summary>The receiving grain's Orleans id (type/key).</summary>
    public string Target { get; set; } = "";

    /// <summary>The grain interface called: full name and assembly name.</summary>
    public string Interface { get; set; } = "";

    public string Method { get; set; } = "";

    /// <summary>The arguments, one JSON array written with <see cref="DurableJson.Options"/>.</summary>
    public RawJson Arguments { get; set; }

    /// <summary>Travels with every attempt; the receiver applies a key once.</summary>
    public string DedupeKey { get; set; } = "";

    public DateTimeOffset CreatedAt { get; set; }

    /// <summary>Failed attempts so far.</summary>
    public int Attempts { get; set; }

    /// <summary>Not before this time (back-off after a failure).</summary>
    public DateTimeOffset NextAttemptAt { get; set; }

    public string? LastError { get; set; }

    /// <summary>A dead-letter notice: parked without a further notice when it fails.</summary>
    public bool IsNotice { get; set; }

    internal OutboxEntry Copy() => (OutboxEntry)MemberwiseClone();
}

/// <summary>An armed wake-up: when it is due, and how often firing it failed.</summary>
public sealed record WakeUpEntry(DateTimeOffset Due, int Attempts = 0, string? LastError = null)
{
    /// <summary>When its first failed attempt was due (null until one failed): the start of a transient outage.</summary>
    public DateTimeOffset? FailingSince { get; init; }

    /// <summary>
    /// Fired by the sweeper only, never by a timer of the activation (<c>ArmSweptWakeUp</c>): a backstop far ahead
    /// that should cost a live activation nothing. Not written when false.
    /// </summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)]
    public bool Swept { get; init; }
}

/// <summary>A dedupe key a grain applied, and when.</summary>
public sealed record AppliedKey(string Key, DateTimeOffset At);
