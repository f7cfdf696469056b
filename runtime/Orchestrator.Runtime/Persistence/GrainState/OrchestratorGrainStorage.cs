using System.Globalization;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Orleans;
using Orleans.Runtime;
using Orleans.Storage;
using Orchestrator.Runtime.Indexes;

namespace Orchestrator.Runtime.Persistence.GrainState;

/// <summary>
/// Orleans grain storage on the orchestrator's database (ARCHITECTURE §4, "Storage provider"): state as JSON text
/// (<see cref="GrainStateJson"/>), ETag = version, every write and clear conditional on the ETag the grain holds
/// (<see cref="InconsistentStateException"/> otherwise: a stale duplicate activation never overwrites), the index
/// rows of an <see cref="IIndexedState"/> committed in the same transaction, and writes of many grains sharing
/// transactions (group commit). A failed read, or a failed transaction (nothing of it was applied), surfaces as a
/// <see cref="GrainStorageException"/> carrying the store's message, SQLSTATE and transient flag: unlike the store's
/// own exceptions, it crosses silos.
/// </summary>
/// <remarks>
/// The awaits that precede touching <see cref="IGrainState{T}"/> keep the caller's context (no
/// <c>ConfigureAwait(false)</c>): the ETag, the state and <see cref="IIndexedState.IndexWritesCommitted"/> change on
/// the grain's own scheduler, never beside a reentrant turn of it.
/// </remarks>
public sealed partial class OrchestratorGrainStorage : IGrainStorage
{
    private readonly string _name;
    private readonly OrchestratorDatabase _database;
    private readonly JsonSerializerOptions _json;
    private readonly ILogger _logger;

    public OrchestratorGrainStorage(string name, OrchestratorDatabase database, JsonSerializerOptions? json, ILogger<OrchestratorGrainStorage> logger)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        ArgumentNullException.ThrowIfNull(database);
        ArgumentNullException.ThrowIfNull(logger);
        _name = name;
        _database = database;
        _json = json ?? GrainStateJson.Options;
        _logger = logger;
    }

    public Task ReadStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState) => ReadStateAsync(stateName, grainId, grainState, CancellationToken.None);

    public Task WriteStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState) => WriteStateAsync(stateName, grainId, grainState, CancellationToken.None);

    public Task ClearStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState) => ClearStateAsync(stateName, grainId, grainState, CancellationToken.None);

    public async Task ReadStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(grainState);
        var key = Key(stateName, grainId);
        StoredGrainState? stored;
        try
        {
            stored = await _database.Reader.ReadAsync(key, cancellationToken);
        }
        catch (Exception ex) when (IsStoreFailure(ex, cancellationToken))
        {
            throw StoreFailure(key, "read", ex);
        }
        if (stored is null)
        {
            grainState.State = CreateEmpty<T>();
            grainState.ETag = null;
            grainState.RecordExists = false;
            return;
        }
        T? state;
        try
        {
            state = JsonSerializer.Deserialize<T>(stored.Json, _json);
        }
        catch (JsonException ex)
        {
            Log.StateUnreadable(_logger, _name, key.Type, key.Key, key.Name, stored.Version, ex);
            throw;
        }
        grainState.State = state ?? CreateEmpty<T>();
        grainState.ETag = ETag(stored.Version);
        grainState.RecordExists = true;
    }

    public async Task WriteStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(grainState);
        var key = Key(stateName, grainId);
        var expected = ExpectedVersion(key, grainState.ETag);
        // Everything is taken now, before the first await: the grain may change its state (and add index writes)
        // while this write is in flight; those changes belong to its next write.
        var json = JsonSerializer.Serialize(grainState.State, _json);
        var (indexed, indexes, pending) = PendingIndexWrites(grainState.State);
        var outcome = await SubmitAsync(key, "write", new GrainStateWrite(key, expected, json, indexes), cancellationToken);
        if (!outcome.Applied)
        {
            throw Conflict(key, "write", outcome.Version, grainState.ETag);
        }
        grainState.ETag = ETag(outcome.Version!.Value);
        grainState.RecordExists = true;
        indexed?.IndexWritesCommitted(pending);
    }

    public async Task ClearStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(grainState);
        var key = Key(stateName, grainId);
        var expected = ExpectedVersion(key, grainState.ETag);
        var (indexed, indexes, pending) = PendingIndexWrites(grainState.State);
        var outcome = await SubmitAsync(key, "clear", new GrainStateWrite(key, expected, null, indexes), cancellationToken);
        if (!outcome.Applied)
        {
            throw Conflict(key, "clear", outcome.Version, grainState.ETag);
        }
        grainState.ETag = null;
        grainState.RecordExists = false;
        indexed?.IndexWritesCommitted(pending);
    }

    private async Task<GrainWriteOutcome> SubmitAsync(GrainStateKey key, string operation, GrainStateWrite write, CancellationToken cancellationToken)
    {
        try
        {
            return await _database.Committer.SubmitAsync(write, cancellationToken);
        }
        catch (Exception ex) when (IsStoreFailure(ex, cancellationToken))
        {
            throw StoreFailure(key, operation, ex);
        }
    }

    /// <summary>Any failure of the store but the caller's own cancellation, which stays what it is.</summary>
    private static bool IsStoreFailure(Exception failure, CancellationToken cancellationToken) =>
        !(failure is OperationCanceledException && cancellationToken.IsCancellationRequested);

    /// <summary>
    /// What the grain (and a caller on another silo) gets for a store failure: the store's exceptions (Npgsql's) cannot
    /// be serialized by Orleans, so they never leave the provider; their text does.
    /// </summary>
    private GrainStorageException StoreFailure(GrainStateKey key, string operation, Exception failure) =>
        GrainStorageException.FromStore(_name, operation, $"{key.Type}/{key.Key} ({key.Name})", failure);

    private static GrainStateKey Key(string stateName, GrainId grainId)
    {
        ArgumentNullException.ThrowIfNull(stateName);
        if (grainId.IsDefault)
        {
            throw new ArgumentException("A grain state needs a grain id.", nameof(grainId));
        }
        return new GrainStateKey(grainId.Type.ToString()!, grainId.Key.ToString()!, stateName);
    }

    private static string ETag(long version) => version.ToString(CultureInfo.InvariantCulture);

    /// <summary>The version an ETag stands for; null (no row seen) for a null ETag.</summary>
    private long? ExpectedVersion(GrainStateKey key, string? etag)
    {
        if (etag is null)
        {
            return null;
        }
        if (long.TryParse(etag, NumberStyles.None, CultureInfo.InvariantCulture, out var version) && version > 0)
        {
            return version;
        }
        // Not an ETag of ours (another provider's, or a corrupted one): the grain cannot know what is stored.
        throw new InconsistentStateException($"Grain storage '{_name}': {key.Type}/{key.Key} ({key.Name}) holds ETag '{etag}', which is not a version of this storage.", "unknown", etag);
    }

    private InconsistentStateException Conflict(GrainStateKey key, string operation, long? stored, string? given)
    {
        var storedTag = stored is { } v ? ETag(v) : "none";
        Log.Conflict(_logger, _name, operation, key.Type, key.Key, key.Name, storedTag, given ?? "none");
        return new InconsistentStateException(
            $"Grain storage '{_name}': the {operation} of {key.Type}/{key.Key} ({key.Name}) was refused: it holds ETag {given ?? "none"}, the stored ETag is {storedTag} (another activation wrote it).",
            storedTag, given ?? "none");
    }

    private static (IIndexedState? State, IReadOnlyList<IndexWrite> Writes, int Pending) PendingIndexWrites<T>(T state)
    {
        if (state is not IIndexedState indexed)
        {
            return (null, [], 0);
        }
        var pending = indexed.PendingIndexWrites;
        var count = pending.Count;
        return count == 0 ? (null, [], 0) : (indexed, IndexWrite.LastWins(pending.Take(count)), count);
    }

    /// <summary>A fresh state for a grain that has none stored (what Orleans' own providers give it).</summary>
    private T CreateEmpty<T>()
    {
        if (typeof(T).IsValueType)
        {
            return default!;
        }
        if (typeof(T).GetConstructor(Type.EmptyTypes) is not null)
        {
            return Activator.CreateInstance<T>();
        }
        // A record without a parameterless constructor: what an empty JSON object reads as.
        return JsonSerializer.Deserialize<T>("{}", _json)!;
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 1021, Level = LogLevel.Information,
            Message = "Grain storage {Storage}: {Operation} of {GrainType}/{GrainKey} ({StateName}) refused, stored ETag {Stored}, given {Given}")]
        public static partial void Conflict(ILogger logger, string storage, string operation, string grainType, string grainKey, string stateName, string stored, string given);

        [LoggerMessage(EventId = 1022, Level = LogLevel.Error,
            Message = "Grain storage {Storage}: the stored state of {GrainType}/{GrainKey} ({StateName}) at version {Version} cannot be read as the grain's state type")]
        public static partial void StateUnreadable(ILogger logger, string storage, string grainType, string grainKey, string stateName, long version, Exception exception);
    }
}
