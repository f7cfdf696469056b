using Microsoft.Extensions.Logging;
using Orchestrator.Runtime.Grains;
using Orchestrator.Runtime.Messaging;
using Orchestrator.Runtime.Storage;

namespace Orchestrator.Runtime.Silos;

/// <summary>
/// Moves pending messages of the held shards into activation mailboxes. Only the shard's owner reads a shard, so no
/// row locks are needed. A cursor fetches new messages in id order; sweeps pick up what the cursor passed over:
/// ids whose transactions committed late and retries whose back-off ended (a sweep every poll interval, from a floor
/// well behind the cursor), and everything of newly acquired shards (a full sweep from the start).
/// </summary>
internal sealed partial class InboxPump
{
    /// <summary>A transaction that has taken an id commits within this time; sweeps start this far behind.</summary>
    private static readonly TimeSpan SweepLag = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan FullSweepInterval = TimeSpan.FromSeconds(30);

    private readonly SiloContext _silo;
    private readonly CancellationToken _stopping;
    private readonly AsyncSignal _wake = new();
    private readonly Lock _sync = new();
    private readonly HashSet<long> _inFlight = [];
    private readonly SortedDictionary<long, int> _awaitingRetry = [];
    private readonly Queue<(long Timestamp, long Cursor)> _cursorHistory = new();
    private readonly List<(long FromId, DateTimeOffset At)> _expected = [];
    private HashSet<long>? _consumedDuringFetch;
    private long _cursor;
    private long _floor;
    private volatile bool _sweepRequested = true;
    private volatile bool _fullSweepRequested = true;
    private long _lastSweep;
    private long _lastFullSweep;

    public InboxPump(SiloContext silo, CancellationToken stopping)
    {
        _silo = silo;
        _stopping = stopping;
        _lastFullSweep = TimeProvider.System.GetTimestamp();
        Completion = Task.Run(RunAsync, CancellationToken.None);
    }

    public Task Completion { get; }

    public int InFlight
    {
        get
        {
            lock (_sync)
            {
                return _inFlight.Count;
            }
        }
    }

    public void Wake() => _wake.Set();

    /// <summary>
    /// Messages from id <paramref name="fromId"/> on become visible at <paramref name="at"/> (reminder ticks fired
    /// ahead): sweep from there at that time. The cursor has passed them while they were invisible.
    /// </summary>
    public void ExpectVisible(long fromId, DateTimeOffset at)
    {
        lock (_sync)
        {
            _expected.Add((fromId, at));
        }
        WakeAt(at);
    }

    /// <summary>
    /// Wakes the pump once the clock has reached <paramref name="at"/>. A timer may fire a little before the wall
    /// clock says it is time (timers run on a monotonic clock): then it waits out the rest, since a wake-up that finds
    /// the messages not yet visible would leave them to the next poll, up to a poll interval late.
    /// </summary>
    private void WakeAt(DateTimeOffset at)
    {
        var wait = at - _silo.Clock.GetUtcNow();
        if (wait <= TimeSpan.Zero)
        {
            Wake();
            return;
        }
        ITimer? timer = null;
        timer = _silo.Clock.CreateTimer(_ =>
        {
            timer?.Dispose();
            WakeAt(at);
        }, null, wait, Timeout.InfiniteTimeSpan);
    }

    /// <summary>Look through every pending message of the held shards soon (a shard was acquired).</summary>
    public void RequestFullSweep()
    {
        _fullSweepRequested = true;
        _wake.Set();
    }

    /// <summary>
    /// A delivered message is done with. Consumed (<paramref name="refetch"/> false) or to be fetched again later
    /// (it failed and waits for its back-off, or its activation gave it back).
    /// </summary>
    public void Release(long messageId, int shard, bool refetch)
    {
        bool wasFull;
        lock (_sync)
        {
            wasFull = _inFlight.Count >= _silo.Options.MaxInFlight;
            _inFlight.Remove(messageId);
            if (refetch)
            {
                _awaitingRetry[messageId] = shard;
            }
            else
            {
                // A fetch that started before this commit may still return the row as pending: skip it.
                _consumedDuringFetch?.Add(messageId);
            }
        }
        if (refetch)
        {
            _sweepRequested = true;
        }
        if (wasFull || refetch)
        {
            _wake.Set();
        }
    }

    private async Task RunAsync()
    {
        while (!_stopping.IsCancellationRequested)
        {
            try
            {
                await _silo.Gate.WaitAsync(_stopping);
                var full = await PumpOnceAsync();
                if (!full)
                {
                    await _wake.WaitAsync(_silo.Options.InboxPollInterval, _stopping);
                }
            }
            catch (OperationCanceledException) when (_stopping.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex)
            {
                Log.FetchFailed(_silo.Logger, ex);
                await _wake.WaitAsync(_silo.Options.InboxPollInterval, _stopping).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            }
        }
    }

    /// <returns>True when a full page came back and there may be more right away.</returns>
    private async Task<bool> PumpOnceAsync()
    {
        var shards = _silo.Shards.Active;
        if (shards.Length == 0 || InFlight >= _silo.Options.MaxInFlight)
        {
            return false;
        }
        var after = SweepStart();
        var sweep = after is not null;
        var from = after ?? _cursor;
        var limit = _silo.Options.FetchBatchSize;
        while (true)
        {
            HashSet<long> consumed;
            lock (_sync)
            {
                _consumedDuringFetch = [];
            }
            IReadOnlyList<InboxMessage> page;
            try
            {
                page = await _silo.Store.FetchAsync(shards, from, _silo.Clock.GetUtcNow(), limit, _stopping);
            }
            finally
            {
                lock (_sync)
                {
                    consumed = _consumedDuringFetch!;
                    _consumedDuringFetch = null;
                }
            }
            await DeliverAsync(page, consumed);
            if (page.Count > 0)
            {
                from = page[^1].Id;
                if (from > _cursor)
                {
                    _cursor = from;
                }
            }
            var more = page.Count == limit;
            if (!sweep || !more || InFlight >= _silo.Options.MaxInFlight)
            {
                return more && !sweep;
            }
        }
    }

    /// <summary>Where a sweep should start this round, or null for a plain fetch from the cursor.</summary>
    private long? SweepStart()
    {
        var now = TimeProvider.System.GetTimestamp();
        if (_fullSweepRequested || TimeProvider.System.GetElapsedTime(_lastFullSweep) >= FullSweepInterval)
        {
            _fullSweepRequested = false;
            _sweepRequested = false;
            _lastFullSweep = _lastSweep = now;
            return 0;
        }
        long? expectedFrom = null;
        var clockNow = _silo.Clock.GetUtcNow();
        lock (_sync)
        {
            foreach (var (fromId, _) in _expected.Where(e => e.At <= clockNow))
            {
                expectedFrom = Math.Min(expectedFrom ?? long.MaxValue, fromId - 1);
            }
            _expected.RemoveAll(e => e.At <= clockNow);
        }
        if (!_sweepRequested && expectedFrom is null && TimeProvider.System.GetElapsedTime(_lastSweep) < _silo.Options.InboxPollInterval)
        {
            return null;
        }
        _sweepRequested = false;
        _lastSweep = now;
        _cursorHistory.Enqueue((now, _cursor));
        while (_cursorHistory.Count > 0 && TimeProvider.System.GetElapsedTime(_cursorHistory.Peek().Timestamp) >= SweepLag)
        {
            _floor = _cursorHistory.Dequeue().Cursor;
        }
        var active = _silo.Shards.Active.ToHashSet();
        lock (_sync)
        {
            // Messages given back for shards we no longer hold are the new owner's business.
            foreach (var id in _awaitingRetry.Where(kv => !active.Contains(kv.Value)).Select(kv => kv.Key).ToList())
            {
                _awaitingRetry.Remove(id);
            }
            var from = _awaitingRetry.Count > 0 ? Math.Min(_floor, _awaitingRetry.First().Key - 1) : _floor;
            return expectedFrom is { } e ? Math.Min(from, e) : from;
        }
    }

    private async Task DeliverAsync(IReadOnlyList<InboxMessage> page, HashSet<long> consumedDuringFetch)
    {
        var fresh = new List<InboxMessage>(page.Count);
        lock (_sync)
        {
            foreach (var message in page)
            {
                if (!consumedDuringFetch.Contains(message.Id) && _inFlight.Add(message.Id))
                {
                    _awaitingRetry.Remove(message.Id);
                    fresh.Add(message);
                }
            }
        }
        if (fresh.Count == 0)
        {
            return;
        }
        var handed = 0;
        try
        {
            var preloaded = await PreloadAsync(fresh);
            for (; handed < fresh.Count; handed++)
            {
                var message = fresh[handed];
                if (!_silo.Registry.TryForTypeName(message.Target.Type, out var grainClass))
                {
                    var error = $"{typeof(GrainTypeNotFoundException).FullName}: unknown grain type '{message.Target.Type}': no registered grain class has that name.";
                    await _silo.Store.RecordFailureAsync(new MessageFailure(message.Id, message.Attempts + 1, _silo.Clock.GetUtcNow(), error, Dead: true), _stopping);
                    _silo.Metrics.DeadLettered(message.Target.Type);
                    Release(message.Id, message.Shard, refetch: false);
                    continue;
                }
                var state = preloaded is null ? null : new PreloadedState(preloaded.GetValueOrDefault(message.Target));
                if (!_silo.Directory.Post(grainClass, message.Target, message.Shard, new WorkItem.Deliver(message), state))
                {
                    lock (_sync)
                    {
                        _inFlight.Remove(message.Id);
                    }
                }
            }
        }
        finally
        {
            // Whatever was not handed to an activation (the store failed mid-page) must be fetchable again.
            for (var i = handed; i < fresh.Count; i++)
            {
                Release(fresh[i].Id, fresh[i].Shard, refetch: true);
            }
        }
    }

    /// <summary>
    /// New activations need their state: read it for the whole page in one query, not one query per grain. Only an
    /// optimisation: if the read fails, each activation reads its own state.
    /// </summary>
    private async Task<IReadOnlyDictionary<GrainId, GrainStateRecord>?> PreloadAsync(List<InboxMessage> messages)
    {
        var toLoad = messages.Select(m => m.Target).Distinct().Where(g => !_silo.Directory.IsActive(g)).ToList();
        if (toLoad.Count < 2)
        {
            return null;
        }
        try
        {
            return await _silo.Store.ReadGrainsAsync(toLoad, _stopping);
        }
        catch (Exception ex) when (!_stopping.IsCancellationRequested)
        {
            Log.PreloadFailed(_silo.Logger, ex);
            return null;
        }
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 4001, Level = LogLevel.Warning, Message = "Inbox fetch failed; retrying after the poll interval")]
        public static partial void FetchFailed(ILogger logger, Exception exception);

        [LoggerMessage(EventId = 4002, Level = LogLevel.Warning, Message = "Reading the state of new activations in one query failed; each reads its own")]
        public static partial void PreloadFailed(ILogger logger, Exception exception);
    }
}

/// <summary>A grain's committed state read ahead of its activation (null record: the grain has none yet).</summary>
internal sealed record PreloadedState(GrainStateRecord? Record);
