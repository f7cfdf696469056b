using System.Text.Json;
using System.Threading.Channels;
using Microsoft.Extensions.DependencyInjection;
using Orchestrator.Runtime.Grains;
using Orchestrator.Runtime.Indexes;
using Orchestrator.Runtime.Logs;
using Orchestrator.Runtime.Messaging;
using Orchestrator.Runtime.Reminders;
using Orchestrator.Runtime.Storage;

namespace Orchestrator.Runtime.Silos;

/// <summary>
/// The one in-memory instance of a grain on the silo that holds its shard. A single reader drains its mailbox, so
/// turns run one at a time; each turn's effects are committed (fenced by the shard epoch and the grain version)
/// before the next turn starts.
/// </summary>
internal sealed partial class Activation : IGrainContext
{
    private readonly SiloContext _silo;
    private readonly GrainClass _class;
    private readonly Channel<WorkItem> _mailbox = Channel.CreateUnbounded<WorkItem>(new UnboundedChannelOptions { SingleReader = true });
    private int _queued;
    private readonly List<ITimer> _timers = [];
    private Grain? _grain;
    private byte[]? _committedState;
    private TurnContext? _turn;
    private bool _invalid;
    private volatile bool _running;
    private long _lastActiveTimestamp;

    private PreloadedState? _preloaded;
    private volatile bool _returnQueued;

    public Activation(SiloContext silo, GrainClass grainClass, GrainId id, int shard, long epoch, PreloadedState? preloaded)
    {
        _preloaded = preloaded;
        _silo = silo;
        _class = grainClass;
        Id = id;
        Shard = shard;
        Epoch = epoch;
        GrainFactory = new GrainFactory(new TurnCallSink(this));
        _lastActiveTimestamp = TimeProvider.System.GetTimestamp();
        Completion = Task.Run(RunAsync);
    }

    public GrainId Id { get; }

    public int Shard { get; }

    public long Epoch { get; }

    /// <summary>The version the current turn starts from: the committed one plus the turns already run in this batch.</summary>
    public long Version => _committedVersion + _turnsInBatch;

    private long _committedVersion;
    private int _turnsInBatch;

    public int ShardCount => _silo.Options.ShardCount;

    public TimeProvider Clock => _silo.Clock;

    public IGrainFactory GrainFactory { get; }

    public IIndexReader Indexes => _silo.Store.Indexes;

    public ILogStore Logs => _silo.Store.Logs;

    public string GrainTypeName => _class.Name;

    public Task Completion { get; }

    public TurnContext CurrentTurn => _turn ?? throw new InvalidOperationException($"Grain {Id}: messages, reminders and index rows can only be changed during a turn.");

    /// <summary>Work items posted and not yet taken from the mailbox.</summary>
    public int QueuedCount => Volatile.Read(ref _queued);

    /// <summary>Idle: nothing queued, nothing running, for at least <paramref name="age"/>.</summary>
    public bool IsIdleFor(TimeSpan age) =>
        !_running && Volatile.Read(ref _queued) == 0 && TimeProvider.System.GetElapsedTime(Volatile.Read(ref _lastActiveTimestamp)) >= age;

    public bool TryPost(WorkItem item)
    {
        // Counted here, not by the channel: a single-reader channel writes without a lock but cannot count.
        Interlocked.Increment(ref _queued);
        if (_mailbox.Writer.TryWrite(item))
        {
            return true;
        }
        Interlocked.Decrement(ref _queued);
        return false;
    }

    /// <summary>Stops taking work; called by the directory when it removes this activation.</summary>
    public void CloseMailbox(DeactivationReason reason, TaskCompletionSource done)
    {
        TryPost(new WorkItem.Deactivate(reason, done));
        _mailbox.Writer.TryComplete();
    }

    /// <summary>Makes queued and future work go back to the inbox unprocessed, and skips OnDeactivateAsync (the shard was lost).</summary>
    public void Invalidate() => _invalid = true;

    /// <summary>Finish the running turn, give queued work back to the inbox (a hand-off: the next owner runs it).</summary>
    public void ReturnQueuedWork() => _returnQueued = true;

    private async Task RunAsync()
    {
        await foreach (var item in _mailbox.Reader.ReadAllAsync())
        {
            Interlocked.Decrement(ref _queued);
            if (item is WorkItem.Deactivate deactivate)
            {
                await DeactivateAsync(deactivate.Reason);
                deactivate.Done.TrySetResult();
                break;
            }
            if (_invalid || _returnQueued)
            {
                Return(item);
                continue;
            }
            _running = true;
            try
            {
                await _silo.Gate.WaitAsync(_silo.Stopping).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
                if (_grain is null && !await TryActivateAsync())
                {
                    Return(item);
                    continue;
                }
                switch (item)
                {
                    case WorkItem.Deliver deliver:
                        await HandleMessagesAsync(TakeQueuedDeliveries(deliver.Message));
                        break;
                    case WorkItem.TimerTick tick:
                        await HandleTimerAsync(tick);
                        break;
                }
            }
            finally
            {
                _running = false;
                Volatile.Write(ref _lastActiveTimestamp, TimeProvider.System.GetTimestamp());
            }
        }
        while (_mailbox.Reader.TryRead(out var rest))
        {
            if (rest is WorkItem.Deactivate d)
            {
                d.Done.TrySetResult();
            }
            else
            {
                Return(rest);
            }
        }
    }

    /// <summary>The message at hand plus the deliveries queued right behind it, to run as consecutive turns that
    /// commit together (one state write for many messages: what a fan-in grain needs).</summary>
    private List<InboxMessage> TakeQueuedDeliveries(InboxMessage first)
    {
        var batch = new List<InboxMessage> { first };
        while (batch.Count < _silo.Options.MaxTurnsPerCommit && _mailbox.Reader.TryPeek(out var next) && next is WorkItem.Deliver
               && _mailbox.Reader.TryRead(out var taken))
        {
            Interlocked.Decrement(ref _queued);
            batch.Add(((WorkItem.Deliver)taken).Message);
        }
        return batch;
    }

    private void Return(WorkItem item)
    {
        if (item is WorkItem.Deliver deliver)
        {
            _silo.Pump.Release(deliver.Message.Id, deliver.Message.Shard, refetch: true);
        }
    }

    private async Task<bool> TryActivateAsync()
    {
        try
        {
            var record = _preloaded is { } preloaded ? preloaded.Record : await _silo.Store.ReadGrainAsync(Id, _silo.Stopping);
            _preloaded = null;
            _committedVersion = record?.Version ?? 0;
            _committedState = record?.State;
            var grain = (Grain)ActivatorUtilities.CreateInstance(_silo.Services, _class.ClrType);
            grain.Attach(this);
            _grain = grain;
            RestoreState();
            _turn = new TurnContext(this);
            await grain.OnActivateAsync(CancellationToken.None);
            _silo.Metrics.Activated(_class.Name);
            return true;
        }
        catch (Exception ex)
        {
            Log.ActivationFailed(_silo.Logger, Id, ex);
            _grain = null;
            _turn = null;
            _invalid = true;
            // Not awaited: the deactivation runs on this very mailbox after the current item.
            _ = _silo.Directory.Remove(this, DeactivationReason.StateConflict);
            return false;
        }
    }

    private async Task DeactivateAsync(DeactivationReason reason)
    {
        foreach (var timer in _timers)
        {
            await timer.DisposeAsync();
        }
        _timers.Clear();
        if (_grain is null)
        {
            return;
        }
        _silo.Metrics.Deactivated(_class.Name);
        if (_invalid)
        {
            return;
        }
        try
        {
            using var timeout = new CancellationTokenSource(_silo.Options.ShutdownDrainTimeout);
            await _grain.OnDeactivateAsync(reason, timeout.Token);
        }
        catch (Exception ex)
        {
            Log.DeactivationFailed(_silo.Logger, Id, ex);
        }
    }

    /// <summary>Puts the grain's state back to the last committed version (after a failed turn).</summary>
    private void RestoreState()
    {
        if (_grain?.StateType is { } type)
        {
            _grain.StateObject = _committedState is null ? Activator.CreateInstance(type) : JsonSerializer.Deserialize(_committedState, type, StateJson.Options);
        }
    }

    private byte[]? SerializeState() =>
        _grain?.StateType is { } type ? JsonSerializer.SerializeToUtf8Bytes(_grain.StateObject, type, StateJson.Options) : null;

    public Task<IReadOnlyList<ReminderInfo>> GetRemindersAsync(CancellationToken cancellationToken) => GetRemindersCore(cancellationToken);

    private async Task<IReadOnlyList<ReminderInfo>> GetRemindersCore(CancellationToken cancellationToken)
    {
        var committed = await _silo.Store.ListRemindersAsync(Id, cancellationToken);
        return _turn?.Overlay(committed) ?? [.. committed.Select(r => r.ToInfo())];
    }

    public IDisposable RegisterTimer(Func<CancellationToken, Task> callback, TimeSpan dueTime, TimeSpan period)
    {
        ArgumentNullException.ThrowIfNull(callback);
        var timer = Clock.CreateTimer(_ => TryPost(new WorkItem.TimerTick(callback)), null, dueTime, period);
        _timers.Add(timer);
        return timer;
    }
}

/// <summary>How grain state is serialized: System.Text.Json with web defaults.</summary>
internal static class StateJson
{
    public static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web);
}

internal sealed partial class Activation
{
    public GrainTypeRegistry Registry => _silo.Registry;

    public GrainReader Reader => _silo.Reader;
}
