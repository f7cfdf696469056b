using Orchestrator.Runtime.Durable;
using Orchestrator.Runtime.Indexes;
using Orchestrator.Runtime.Tests.Durable.Infrastructure;
using Orleans;
using Orleans.Concurrency;
using Orleans.Runtime;

namespace Orchestrator.Runtime.Tests.Durable.Grains;

/// <summary>A test grain that adds amounts, sends messages to inboxes, arms wake-ups and can fail on purpose.</summary>
public interface ILedgerGrain : IGrainWithStringKey, IDeadLetterObserver
{
    Task Add(int amount);

    /// <summary>Adds, then sends <see cref="IInboxGrain.Receive"/> of each value in [from, from+count) to the inbox.</summary>
    Task AddAndSend(int amount, string inbox, int from, int count);

    /// <summary>As <see cref="AddAndSend"/>, then lets the activation go once every message is acknowledged.</summary>
    Task AddSendAndFinish(int amount, string inbox, int from, int count);

    /// <summary>Sends one message to the inbox: <paramref name="method"/> is an <see cref="IInboxGrain"/> method taking (from, value).</summary>
    Task SendTo(string inbox, string method, int value, string? dedupeKey);

    /// <summary>Adds, and tells the inbox <see cref="IInboxGrain.Heard"/> of <paramref name="value"/> once that is stored; then throws if asked.</summary>
    Task AddAndNotify(int amount, string inbox, int value, bool thenThrow);

    /// <summary>As <see cref="AddAndNotify"/> (never throwing), then lets the activation go once it is done.</summary>
    Task AddNotifyAndFinish(int amount, string inbox, int value);

    /// <summary>Adds, writes an index row, sends, arms a wake-up, then throws: nothing of it may stay.</summary>
    Task AddThenThrow(int amount, string inbox);

    /// <summary>A turn that counts <c>gated-turn-entered</c>, waits for the probe's gate, then adds.</summary>
    Task AddAfterGate(int amount, string gate);

    /// <summary>
    /// Not a turn: starts background work of the grain's own (as a watch or a timer of it) that waits for the probe's
    /// gate, then adds in a turn of its own (<c>TurnAsync</c>); counts <c>background-asking</c>, then <c>background-added</c> or
    /// <c>background-failed</c>.
    /// </summary>
    [OutsideTurn]
    Task StartBackgroundAdd(int amount, string gate);

    Task Arm(string name, DateTimeOffset due);

    /// <summary>Arms a wake-up only the sweeper fires.</summary>
    Task ArmSwept(string name, DateTimeOffset due);

    Task Disarm(string name);

    /// <summary>Makes wake-ups throw (true) or fire (false).</summary>
    Task FailWakeUps(bool fail);

    [ReadOnly]
    Task<LedgerView> Get();

    [ReadOnly]
    Task<SiloAddress> Where();

    /// <summary>How many ledger index rows the database's committed index holds (grain code reading the index store).</summary>
    [ReadOnly]
    Task<int> CountIndexRows();

    /// <summary>Messages not yet acknowledged, as this activation knows (stored or not).</summary>
    [ReadOnly]
    Task<int> Unacknowledged();

    /// <summary>Deactivates the grain once idle (a read: no write of its own).</summary>
    [ReadOnly]
    Task Deactivate();
}

[GenerateSerializer, Immutable]
public sealed record LedgerView(
    [property: Id(0)] int Total,
    [property: Id(1)] List<int> Amounts,
    [property: Id(2)] List<string> Fired,
    [property: Id(3)] List<string> Armed,
    [property: Id(4)] List<string> Notices);

public sealed class LedgerState
{
    public int Total { get; set; }

    public List<int> Amounts { get; set; } = [];

    public List<string> Fired { get; set; } = [];

    public bool FailWakeUps { get; set; }

    public List<string> Notices { get; set; } = [];
}

[GrainType("test-ledger")]
public sealed class LedgerGrain(TestProbe probe) : DurableGrain<LedgerState>, ILedgerGrain
{
    public const string IndexKind = "ledger";

    public Task Add(int amount)
    {
        probe.Increment("ledger-turns");
        State.Total += amount;
        State.Amounts.Add(amount);
        WriteIndex(new IndexRow(IndexKind, "totals", GrainKey, 0, State.Total.ToString(System.Globalization.CultureInfo.InvariantCulture)));
        return Task.CompletedTask;
    }

    public async Task AddAndSend(int amount, string inbox, int from, int count)
    {
        await Add(amount);
        var target = Send<IInboxGrain>(inbox);
        for (var value = from; value < from + count; value++)
        {
            await target.Receive(GrainKey, value);
        }
    }

    public async Task AddSendAndFinish(int amount, string inbox, int from, int count)
    {
        await AddAndSend(amount, inbox, from, count);
        DeactivateWhenDelivered();
    }

    public Task SendTo(string inbox, string method, int value, string? dedupeKey)
    {
        var target = Send<IInboxGrain>(inbox, dedupeKey);
        return method switch
        {
            nameof(IInboxGrain.Receive) => target.Receive(GrainKey, value),
            nameof(IInboxGrain.Gated) => target.Gated(GrainKey, value),
            nameof(IInboxGrain.Fail) => target.Fail(GrainKey, value),
            nameof(IInboxGrain.Counted) => target.Counted(GrainKey, value),
            nameof(IInboxGrain.Ping) => target.Ping(GrainKey, value),
            _ => throw new ArgumentOutOfRangeException(nameof(method), method, "not an inbox method"),
        };
    }

    public async Task AddAndNotify(int amount, string inbox, int value, bool thenThrow)
    {
        await Add(amount);
        var receiver = GrainFactory.GetGrain<IInboxGrain>(inbox);
        var from = GrainKey;
        NotifyAfterWrite(() => receiver.Heard(from, value));
        if (thenThrow)
        {
            throw new InvalidOperationException("AddAndNotify failed on purpose");
        }
    }

    public async Task AddNotifyAndFinish(int amount, string inbox, int value)
    {
        await AddAndNotify(amount, inbox, value, thenThrow: false);
        DeactivateWhenDelivered();
    }

    public async Task AddThenThrow(int amount, string inbox)
    {
        await Add(amount);
        WriteIndex(new IndexRow(IndexKind, "thrown", GrainKey, 0, null));
        await Send<IInboxGrain>(inbox).Receive(GrainKey, amount);
        ArmWakeUp("thrown", TimeSpan.FromHours(1));
        await Task.Yield();
        throw new InvalidOperationException("AddThenThrow failed on purpose");
    }

    public async Task AddAfterGate(int amount, string gate)
    {
        probe.Increment("gated-turn-entered");
        await probe.Gate(gate);
        await Add(amount);
    }

    public Task StartBackgroundAdd(int amount, string gate)
    {
        _ = BackgroundAddAsync(amount, gate);
        return Task.CompletedTask;
    }

    private async Task BackgroundAddAsync(int amount, string gate)
    {
        await probe.Gate(gate);
        try
        {
            probe.Increment("background-asking");
            await TurnAsync(() => Add(amount));
            probe.Increment("background-added");
        }
        catch (InvalidOperationException)
        {
            probe.Increment("background-failed");
        }
    }

    public Task Arm(string name, DateTimeOffset due)
    {
        ArmWakeUp(name, due);
        return Task.CompletedTask;
    }

    public Task ArmSwept(string name, DateTimeOffset due)
    {
        ArmSweptWakeUp(name, due);
        return Task.CompletedTask;
    }

    public Task Disarm(string name)
    {
        DisarmWakeUp(name);
        return Task.CompletedTask;
    }

    public Task FailWakeUps(bool fail)
    {
        State.FailWakeUps = fail;
        return Task.CompletedTask;
    }

    protected override Task OnWakeUpAsync(string name)
    {
        State.Fired.Add(name);
        probe.Increment("fired:" + name);
        return State.FailWakeUps ? throw new InvalidOperationException($"wake-up {name} failed on purpose") : Task.CompletedTask;
    }

    public Task OnDeadLetter(DeadLetterNotice notice)
    {
        State.Notices.Add($"{notice.Reminder ?? notice.Method}:{notice.Attempts}");
        return Task.CompletedTask;
    }

    public Task<LedgerView> Get() => Task.FromResult(new LedgerView(State.Total, [.. State.Amounts], [.. State.Fired], [.. WakeUps.Keys.Order(StringComparer.Ordinal)], [.. State.Notices]));

    public Task<SiloAddress> Where() => Task.FromResult(GrainContext.Address.SiloAddress!);

    public Task<int> Unacknowledged() => Task.FromResult(PendingMessages);

    public Task Deactivate()
    {
        DeactivateOnIdle();
        return Task.CompletedTask;
    }

    public async Task<int> CountIndexRows() => (await Indexes.QueryAsync(new IndexQuery(IndexKind, ["totals"]))).Count;
}
