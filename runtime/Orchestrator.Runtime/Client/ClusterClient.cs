using Orchestrator.Runtime.Blobs;
using Orchestrator.Runtime.Grains;
using Orchestrator.Runtime.Indexes;
using Orchestrator.Runtime.Logs;
using Orchestrator.Runtime.Messaging;
using Orchestrator.Runtime.Silos;
using Orchestrator.Runtime.Storage;

namespace Orchestrator.Runtime.Client;

/// <summary>
/// The grain client: commands are stored durably in the target grain's inbox before the call returns (and are
/// applied exactly once); reads run on committed state. It talks only to the store, so it works from any process
/// that can reach the database — no silo needs to be up for a command to be accepted.
/// </summary>
public sealed class ClusterClient : IGrainFactory, IAsyncDisposable
{
    private readonly IRuntimeStore _store;
    private readonly GrainFactory _factory;
    private readonly EnqueueBatcher _batcher;
    private readonly Sink _sink;
    private readonly int _shardCount;
    private readonly TimeProvider _clock;

    internal ClusterClient(IRuntimeStore store, GrainTypeRegistry registry, IServiceProvider services, TimeProvider clock, int shardCount)
    {
        _store = store;
        _shardCount = shardCount;
        _clock = clock;
        _sink = new Sink(this, registry, new GrainReader(store, registry, services, clock, shardCount));
        _factory = new GrainFactory(_sink);
        _batcher = new EnqueueBatcher(store, store.Kind == "sqlite" ? 1 : 2);
    }

    public TGrain GetGrain<TGrain>(string key) where TGrain : IGrainWithStringKey => _factory.GetGrain<TGrain>(key);

    public TGrain GetGrain<TGrain>(Guid key) where TGrain : IGrainWithGuidKey => _factory.GetGrain<TGrain>(key);

    public TGrain GetGrain<TGrain>(long key) where TGrain : IGrainWithIntegerKey => _factory.GetGrain<TGrain>(key);

    /// <summary>Index rows grains committed with their state (lists and searches without scanning grain state).</summary>
    public IIndexReader Indexes => _store.Indexes;

    /// <summary>Chunked output logs, kept apart from grain state; writers resend chunks freely.</summary>
    public ILogStore Logs => _store.Logs;

    /// <summary>Content-addressed files, stored once per distinct content.</summary>
    public IBlobStore Blobs => _store.Blobs;

    /// <summary>The cluster's clock (the one grains run on): times a client sends to grains are read from it.</summary>
    public TimeProvider Clock => _clock;

    /// <summary>The membership table as it stands: every silo row with its status, start and last heartbeat.</summary>
    public Task<MembershipView> GetMembershipAsync(CancellationToken cancellationToken = default) =>
        _store.ReadMembershipAsync(cancellationToken);

    /// <summary>Messages parked after repeated failures, oldest first.</summary>
    public Task<IReadOnlyList<DeadLetter>> GetDeadLettersAsync(int limit = 100, CancellationToken cancellationToken = default) =>
        _store.ListDeadLettersAsync(limit, cancellationToken);

    /// <summary>
    /// The parked messages of grains whose key starts with <paramref name="grainKeyPrefix"/> (any grain type), oldest
    /// first: what a task instance's turns, and its steps' and targets', could not apply.
    /// </summary>
    public Task<IReadOnlyList<DeadLetter>> GetDeadLettersAsync(string grainKeyPrefix, int limit = 100, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(grainKeyPrefix);
        return _store.ListDeadLettersAsync(grainKeyPrefix, limit, cancellationToken);
    }

    /// <summary>Puts a dead letter back in its grain's inbox for a fresh set of attempts; false if it is not parked.</summary>
    public Task<bool> ReplayDeadLetterAsync(long messageId, CancellationToken cancellationToken = default) =>
        _store.ReplayDeadLetterAsync(messageId, _clock.GetUtcNow(), cancellationToken);

    /// <summary>The committed version of a grain (0 if it never committed a turn).</summary>
    public async Task<long> GetGrainVersionAsync(IGrain grain, CancellationToken cancellationToken = default) =>
        (await _store.ReadGrainAsync(grain.GetGrainId(), cancellationToken).ConfigureAwait(false))?.Version ?? 0;

    public ValueTask DisposeAsync() => _batcher.DisposeAsync();

    private sealed class Sink(ClusterClient client, GrainTypeRegistry registry, GrainReader reader) : IGrainCallSink
    {
        public GrainTypeRegistry Registry => registry;

        public Task SendAsync(GrainId target, GrainMethod method, object?[]? args, string? dedupeKey)
        {
            var body = new MessageBody { Kind = MessageBody.CallKind, Interface = method.Interface.FullName, Method = method.Info.Name, Args = method.SerializeArgs(args) };
            var message = new OutgoingMessage(target, target.ShardOf(client._shardCount), dedupeKey ?? "c:" + Guid.NewGuid().ToString("N"), body.ToBytes(), client._clock.GetUtcNow());
            return client._batcher.EnqueueAsync(message);
        }

        public Task<object?> ReadAsync(GrainId target, GrainMethod method, object?[]? args) => reader.ReadAsync(target, method, args, CancellationToken.None);
    }
}
