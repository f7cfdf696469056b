using Orchestrator.Runtime.Indexes;
using Orchestrator.Runtime.Logs;
using Orchestrator.Runtime.Reminders;
using Orchestrator.Runtime.Silos;

namespace Orchestrator.Runtime.Grains;

/// <summary>
/// Base class of every grain. Each turn (a command, a reminder tick, a timer tick) runs alone; what it changes —
/// state, messages sent through <see cref="GrainFactory"/>, reminder changes, index rows — is committed in one
/// transaction when the turn returns. If the turn throws, nothing of it is kept and the message is retried, then dead-lettered.
/// Grain code should not use <c>ConfigureAwait(false)</c>, so that continuations stay on the turn.
/// </summary>
public abstract class Grain
{
    private IGrainContext? _context;

    internal IGrainContext Activation =>
        _context ?? throw new InvalidOperationException("This grain instance is not attached to an activation.");

    internal void Attach(IGrainContext context) => _context = context;

    /// <summary>The identity of this grain.</summary>
    public GrainId GrainId => Activation.Id;

    /// <summary>This grain's key (Orleans' <c>GetPrimaryKeyString()</c>).</summary>
    public string GrainKey => Activation.Id.Key;

    /// <summary>The version of the last committed state; it grows by one with every committed turn.</summary>
    protected long Version => Activation.Version;

    /// <summary>Creates references to other grains; calls through them are sent when this turn commits.</summary>
    protected IGrainFactory GrainFactory => Activation.GrainFactory;

    /// <summary>The runtime's clock. Grains never read the wall clock directly.</summary>
    protected TimeProvider TimeProvider => Activation.Clock;

    /// <summary>Called before the first turn of an activation; changes it makes commit with that turn.</summary>
    public virtual Task OnActivateAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>Called, best effort, when the activation is collected or its shard moves. Crashes skip it.</summary>
    public virtual Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>Registers or replaces a reminder firing every <paramref name="period"/>, first after <paramref name="dueTime"/>.</summary>
    protected Task RegisterOrUpdateReminder(string name, TimeSpan dueTime, TimeSpan period, MisfirePolicy misfire = MisfirePolicy.FireOnceNow)
    {
        var anchor = TimeProvider.GetUtcNow() + dueTime;
        return RegisterOrUpdateReminder(name, ReminderSchedule.Every(period, anchor), misfire);
    }

    /// <summary>Registers or replaces a reminder on any schedule (interval or cron in a time zone).</summary>
    protected Task RegisterOrUpdateReminder(string name, ReminderSchedule schedule, MisfirePolicy misfire = MisfirePolicy.FireOnceNow)
    {
        Activation.CurrentTurn.RegisterReminder(name, schedule, misfire, TimeProvider.GetUtcNow());
        return Task.CompletedTask;
    }

    /// <summary>Removes a reminder when this turn commits. Removing an unknown reminder does nothing.</summary>
    protected Task UnregisterReminder(string name)
    {
        Activation.CurrentTurn.UnregisterReminder(name);
        return Task.CompletedTask;
    }

    /// <summary>This grain's reminders as committed, with this turn's changes applied.</summary>
    protected Task<IReadOnlyList<ReminderInfo>> GetReminders(CancellationToken cancellationToken = default) =>
        Activation.GetRemindersAsync(cancellationToken);

    /// <summary>
    /// Starts an in-memory timer. Each tick runs as a turn of this grain and commits like one; timers do not survive
    /// deactivation or a crash — use reminders for durable schedules.
    /// </summary>
    protected IDisposable RegisterTimer(Func<CancellationToken, Task> callback, TimeSpan dueTime, TimeSpan period) =>
        Activation.RegisterTimer(callback, dueTime, period);

    /// <summary>
    /// Writes an index row when this turn commits, atomically with the state; the last write or delete of a key in
    /// the turn (or in the turns committed with it) wins. Throws in read methods.
    /// </summary>
    protected void WriteIndex(IndexRow row) => Activation.CurrentTurn.WriteIndex(row);

    /// <summary>Deletes an index row when this turn commits. Deleting a missing row does nothing. Throws in read methods.</summary>
    protected void DeleteIndex(string kind, string partition, string key) => Activation.CurrentTurn.DeleteIndex(kind, partition, key);

    /// <summary>Committed index rows, in turns and in read methods; this turn's own writes show only after it commits.</summary>
    protected IIndexReader Indexes => Activation.Indexes;

    /// <summary>
    /// The output log store. Unlike index rows, what a turn does here happens at once and outside its commit: a turn
    /// that is retried does it again, so use it only idempotently (reads, deleting a finished target's streams).
    /// </summary>
    protected ILogStore Logs => Activation.Logs;

    /// <summary>The grain's persistent state, or null for a stateless grain.</summary>
    internal virtual object? StateObject { get => null; set { } }

    /// <summary>The CLR type of the persistent state, or null for a stateless grain.</summary>
    internal virtual Type? StateType => null;
}

/// <summary>A grain with persistent state of type <typeparamref name="TState"/>, saved after every turn.</summary>
public abstract class Grain<TState> : Grain where TState : class, new()
{
    /// <summary>The state as of the current turn. Mutate it freely; it is saved when the turn commits.</summary>
    protected TState State { get; set; } = new();

    internal override object? StateObject { get => State; set => State = (TState?)value ?? new TState(); }

    internal override Type? StateType => typeof(TState);
}

/// <summary>Why an activation is being deactivated.</summary>
public enum DeactivationReason
{
    IdleCollection,
    ShardHandOff,
    SiloShutdown,
    StateConflict,
}
