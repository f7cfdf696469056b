using System.Data.Common;
using System.Text;
using System.Text.RegularExpressions;
using Orleans;

namespace Orchestrator.Runtime.Persistence.GrainState;

/// <summary>
/// A grain's database access failed: a read, write or clear of its state for a reason other than an ETag conflict
/// (which stays <see cref="Orleans.Storage.InconsistentStateException"/>), or a database call of the grain's own code
/// (index rows, logs) during one of its calls. It carries what the store said as text and plain values
/// — its exception type, message, SQLSTATE and whether it called itself transient — so it crosses silos as itself:
/// the store's own exceptions (Npgsql's) have no Orleans codec, and a caller on another silo would get
/// <c>CodecNotFoundException</c> instead. For the same reason it never has an <see cref="Exception.InnerException"/>;
/// the store's exception is kept in <see cref="StoreException"/> on the silo that caught it, and is not serialized.
/// </summary>
[GenerateSerializer]
[Alias("orch.GrainStorageException")]
public sealed partial class GrainStorageException : Exception
{
    public GrainStorageException()
    {
    }

    public GrainStorageException(string message)
        : base(message)
    {
    }

    /// <summary>
    /// What failed: <c>read</c>, <c>write</c> or <c>clear</c> of a grain state, or the grain call (<c>Interface.Method</c>)
    /// whose own database call failed; null when not known.
    /// </summary>
    [Id(0)]
    public string? Operation { get; init; }

    /// <summary>
    /// The grain (<c>type/key</c>, as Orleans' <c>GrainId</c> prints), followed by the state name for a state operation
    /// (<c>type/key (state)</c>); null when not known.
    /// </summary>
    [Id(1)]
    public string? Grain { get; init; }

    /// <summary>The store exception's type (e.g. <c>Npgsql.PostgresException</c>).</summary>
    [Id(2)]
    public string StoreExceptionType { get; init; } = "";

    /// <summary>The store exception's message, and those of the exceptions inside it; text only, passwords removed.</summary>
    [Id(3)]
    public string StoreMessage { get; init; } = "";

    /// <summary>The SQLSTATE the store reported (PostgreSQL), or null.</summary>
    [Id(4)]
    public string? SqlState { get; init; }

    /// <summary>
    /// Whether the store said the failure is transient (<see cref="DbException.IsTransient"/>: a broken connection, a
    /// server shutting down, a serialization failure); false when it is not a database exception.
    /// </summary>
    [Id(5)]
    public bool IsTransient { get; init; }

    [NonSerialized]
    private Exception? _storeException;

    /// <summary>The store's own exception, on the silo that caught it only (never serialized); null elsewhere.</summary>
    public Exception? StoreException => _storeException;

    /// <summary>The failure of <paramref name="operation"/> of <paramref name="grain"/>'s state in storage <paramref name="storage"/>.</summary>
    public static GrainStorageException FromStore(string storage, string operation, string grain, Exception store)
    {
        ArgumentNullException.ThrowIfNull(store);
        return Create(store, operation, grain, summary => $"Grain storage '{storage}': the {operation} of {grain} failed in the database ({summary})");
    }

    /// <summary>A database call of <paramref name="grain"/>'s own code (index rows, logs) failed during <paramref name="call"/>.</summary>
    public static GrainStorageException FromGrainCall(string grain, string call, Exception store)
    {
        ArgumentNullException.ThrowIfNull(store);
        return Create(store, call, grain, summary => $"Grain {grain}: {call} failed in the database ({summary})");
    }

    /// <summary>
    /// <paramref name="failure"/> as an exception that can cross silos: itself if it is a <see cref="GrainStorageException"/>
    /// (or null), otherwise one carrying its text (for a failure whose grain and operation are not known here).
    /// </summary>
    public static GrainStorageException? Portable(Exception? failure)
    {
        if (failure is null or GrainStorageException)
        {
            return (GrainStorageException?)failure;
        }
        return Create(failure, null, null, summary => $"Grain storage failed ({summary})");
    }

    private static GrainStorageException Create(Exception store, string? operation, string? grain, Func<string, string> headline)
    {
        var (type, message, sqlState, transient) = Describe(store);
        return new GrainStorageException($"{headline(Summary(type, sqlState, transient))}: {message}")
        {
            Operation = operation,
            Grain = grain,
            StoreExceptionType = type,
            StoreMessage = message,
            SqlState = sqlState,
            IsTransient = transient,
            _storeException = store,
        };
    }

    private static string Summary(string type, string? sqlState, bool transient) =>
        $"{type}{(sqlState is null ? "" : $", SQLSTATE {sqlState}")}, {(transient ? "transient" : "not transient")}";

    private static (string Type, string Message, string? SqlState, bool Transient) Describe(Exception store)
    {
        // The first database exception in the chain speaks for the store (Npgsql may wrap one in another exception).
        DbException? database = null;
        var text = new StringBuilder(Redact(store.Message));
        for (Exception? e = store; e is not null; e = e.InnerException)
        {
            database ??= e as DbException;
            if (!ReferenceEquals(e, store))
            {
                text.Append(" ---> ").Append(e.GetType().FullName).Append(": ").Append(Redact(e.Message));
            }
        }
        return (store.GetType().FullName ?? store.GetType().Name, text.ToString(), database?.SqlState, database?.IsTransient ?? false);
    }

    /// <summary>
    /// Removes what looks like a password setting. Npgsql and SQLite do not put connection strings in their messages,
    /// but this text is sent to callers and logged, so a message that did must not carry the secret on.
    /// </summary>
    internal static string Redact(string message) => PasswordSetting().Replace(message, "$1=***");

    [GeneratedRegex("""\b(password|pwd)\s*=\s*("[^"]*"|'[^']*'|[^;\s]*)""", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex PasswordSetting();
}
