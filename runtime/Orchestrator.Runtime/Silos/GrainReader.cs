using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Orchestrator.Runtime.Grains;
using Orchestrator.Runtime.Indexes;
using Orchestrator.Runtime.Logs;
using Orchestrator.Runtime.Messaging;
using Orchestrator.Runtime.Reminders;
using Orchestrator.Runtime.Storage;

namespace Orchestrator.Runtime.Silos;

/// <summary>
/// Runs read methods on a grain's last committed state, loaded from the store into a fresh, detached instance:
/// reads need no turn, never wait behind commands, and can run in any process that has the grain classes.
/// </summary>
internal sealed class GrainReader(IRuntimeStore store, GrainTypeRegistry registry, IServiceProvider services, TimeProvider clock, int shardCount)
{
    public async Task<object?> ReadAsync(GrainId target, GrainMethod method, object?[]? args, CancellationToken cancellationToken)
    {
        var grainClass = registry.ForTypeName(target.Type);
        var record = await store.ReadGrainAsync(target, cancellationToken).ConfigureAwait(false);
        var grain = (Grain)ActivatorUtilities.CreateInstance(services, grainClass.ClrType);
        grain.Attach(new ReadOnlyGrainContext(target, target.ShardOf(shardCount), shardCount, record?.Version ?? 0, clock, this, registry, store));
        if (grain.StateType is { } type)
        {
            grain.StateObject = record?.State is null ? Activator.CreateInstance(type) : JsonSerializer.Deserialize(record.State, type, StateJson.Options);
        }
        return await method.InvokeReadAsync(grain, args ?? []).ConfigureAwait(false);
    }

    private sealed class ReadOnlyGrainContext(GrainId id, int shard, int shardCount, long version, TimeProvider clock, GrainReader reader, GrainTypeRegistry registry, IRuntimeStore store)
        : IGrainContext, IGrainCallSink
    {
        public GrainId Id => id;

        public int Shard => shard;

        public int ShardCount => shardCount;

        public long Version => version;

        public TimeProvider Clock => clock;

        public IGrainFactory GrainFactory => new GrainFactory(this);

        public IIndexReader Indexes => store.Indexes;

        public ILogStore Logs => store.Logs;

        public GrainTypeRegistry Registry => registry;

        public TurnContext CurrentTurn => throw new ReadOnlyTurnException($"Grain {id}: a read method cannot send commands, change reminders or write index rows.");

        public async Task<IReadOnlyList<ReminderInfo>> GetRemindersAsync(CancellationToken cancellationToken) =>
            [.. (await store.ListRemindersAsync(id, cancellationToken).ConfigureAwait(false)).Select(r => r.ToInfo())];

        public IDisposable RegisterTimer(Func<CancellationToken, Task> callback, TimeSpan dueTime, TimeSpan period) =>
            throw new ReadOnlyTurnException($"Grain {id}: a read method cannot start timers.");

        public Task SendAsync(GrainId target, GrainMethod method, object?[]? args, string? dedupeKey) =>
            throw new ReadOnlyTurnException($"Grain {id}: a read method cannot send commands.");

        public Task<object?> ReadAsync(GrainId target, GrainMethod method, object?[]? args) => reader.ReadAsync(target, method, args, CancellationToken.None);
    }
}
