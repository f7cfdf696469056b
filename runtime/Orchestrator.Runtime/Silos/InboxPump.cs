using Microsoft.Extensions.Logging;
using Orchestrator.Runtime.Grains;
using Orchestrator.Runtime.Messaging;
using Orchestrator.Runtime.Storage;

namespace Orchestrator.Runtime.Silos;

/// <summary>
/// Moves pending messages of the held shards into activation mailboxes. Only the shard's owner reads a shard, so no
/// row locks are needed: a cursor fetches new messages in id order, and a periodic sweep from the start picks up
/// what the cursor passed over (ids that committed late, retries whose back-off ended, newly acquired shards).
/// </summary>
internal sealed partial class InboxPump
{
    private readonly SiloContext _silo;
    private readonly CancellationToken _stopping;
    private readonly AsyncSignal _wake = new();
    private readonly Lock _sync = new();
    private readonly HashSet<long> _inFlight = [];
    private long _cursor;
    private volatile bool _sweepRequested = true;
    private long _lastSweep;

    public InboxPump(SiloContext silo, CancellationToken stopping)
    {
        _silo = silo;
        _stopping = stopping;
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

    /// <summary>Look from the start again soon (a shard was acquired, a message went back to the inbox).</summary>
    public void RequestSweep()
    {
        _sweepRequested = true;
        _wake.Set();
    }

    /// <summary>A delivered message is done with; with <paramref name="refetch"/> it may be fetched again.</summary>
    public void Release(long messageId, bool refetch)
    {
        bool wasFull;
        lock (_sync)
        {
            wasFull = _inFlight.Count >= _silo.Options.MaxInFlight;
            _inFlight.Remove(messageId);
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
        var sweep = _sweepRequested || TimeProvider.System.GetElapsedTime(_lastSweep) >= _silo.Options.InboxPollInterval;
        if (sweep)
        {
            _sweepRequested = false;
            _lastSweep = TimeProvider.System.GetTimestamp();
        }
        var limit = _silo.Options.FetchBatchSize;
        var after = sweep ? 0 : _cursor;
        while (true)
        {
            var page = await _silo.Store.FetchAsync(shards, after, _silo.Clock.GetUtcNow(), limit, _stopping);
            foreach (var message in page)
            {
                await DeliverAsync(message);
                after = message.Id;
            }
            if (page.Count > 0 && after > _cursor)
            {
                _cursor = after;
            }
            var more = page.Count == limit;
            if (!sweep || !more || InFlight >= _silo.Options.MaxInFlight)
            {
                return more && !sweep;
            }
        }
    }

    private async Task DeliverAsync(InboxMessage message)
    {
        lock (_sync)
        {
            if (!_inFlight.Add(message.Id))
            {
                return;
            }
        }
        if (!_silo.Registry.GrainTypeNames.Contains(message.Target.Type))
        {
            var error = $"{typeof(GrainTypeNotFoundException).FullName}: unknown grain type '{message.Target.Type}': no registered grain class has that name.";
            await _silo.Store.RecordFailureAsync(new MessageFailure(message.Id, message.Attempts + 1, _silo.Clock.GetUtcNow(), error, Dead: true), _stopping);
            _silo.Metrics.DeadLettered(message.Target.Type);
            Release(message.Id, refetch: false);
            return;
        }
        if (!_silo.Directory.Post(message.Target, message.Shard, new WorkItem.Deliver(message)))
        {
            Release(message.Id, refetch: false);
        }
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 4001, Level = LogLevel.Warning, Message = "Inbox fetch failed; retrying after the poll interval")]
        public static partial void FetchFailed(ILogger logger, Exception exception);
    }
}
