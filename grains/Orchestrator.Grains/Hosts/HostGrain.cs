using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Orchestrator.GrainInterfaces;
using Orchestrator.Plans.Model;
using Orchestrator.Grains.Common;
using Orchestrator.Grains.Retention;
using Orchestrator.Runtime.Durable;
using Orchestrator.Runtime.Indexes;

namespace Orchestrator.Grains.Hosts;

/// <summary>State of a host: its agent session, labels and liveness.</summary>
public sealed class HostState
{
    public HostStatus Status { get; set; }

    public Dictionary<string, string> Labels { get; set; } = [];

    /// <summary>The namespace the agent registered the host in; null in hosts of before namespaces (<c>default</c>).</summary>
    public string? Namespace { get; set; }

    public int Capacity { get; set; }

    public string? SessionId { get; set; }

    public string? AgentVersion { get; set; }

    public DateTimeOffset? LastSeen { get; set; }

    public DateTimeOffset? RegisteredAt { get; set; }

    /// <summary>Heartbeats since the last liveness check; two checks in a row without one take the host offline.</summary>
    public int HeartbeatsSinceCheck { get; set; }

    public int SilentChecks { get; set; }

    /// <summary>When an admin revoked the host's agent; null when it may register.</summary>
    public DateTimeOffset? RevokedAt { get; set; }

    public string? RevokedBy { get; set; }

    /// <summary>What an admin lets the host do: <see cref="HostOperation.Active"/>, paused or draining (never drained: that is derived).</summary>
    public HostOperation Operation { get; set; }

    public string? OperationBy { get; set; }

    public DateTimeOffset? OperationAt { get; set; }

    /// <summary>
    /// When the host was removed from the inventory for being offline longer than <c>StaleHostAfter</c>; its state
    /// stays as its history (registered, last seen, removed). Null while it is in the inventory; registering again clears it.
    /// </summary>
    public DateTimeOffset? RemovedAt { get; set; }

    /// <summary>When the armed liveness check is due (the checks keep a grid of <c>HostGrain.LivenessPeriod</c>).</summary>
    public DateTimeOffset? NextCheckAt { get; set; }
}

/// <summary>
/// A host's agent. A new session replaces the old one, and whatever the old session had started is lost (its
/// process died with it). A host whose agent stops heartbeating goes offline, and its open assignments end.
/// Liveness counts heartbeats between checks rather than comparing clocks, and a check the clock jumped past (due more
/// than <see cref="LivenessMisfire"/> ago: the clock was moved, or the grain's silo was down) is skipped rather than
/// counted, so a jump of the clock alone never takes a live host offline. The checks are a durable wake-up of the
/// grain's own (no reminder row per host: a 100,000-host fleet costs no reminders at all).
/// </summary>
[GrainType("host")]
public sealed class HostGrain : DurableGrain<HostState>, IHostGrain
{
    private const string LivenessCheck = "liveness";
    private const string StaleCheck = "stale";

    private int _heartbeatsHeard;        // since the state last took them (not stored)
    private DateTimeOffset? _lastHeard;  // the latest of them

    /// <summary>
    /// How often liveness is checked; a host is offline after two checks without a heartbeat (30 to 60 s). Each
    /// online host costs one wake-up turn per period, so this is also the fleet's background load.
    /// </summary>
    internal static readonly TimeSpan LivenessPeriod = TimeSpan.FromSeconds(30);

    /// <summary>
    /// A check handled later than this after its due time was missed, not made (the old reminder's skip policy with
    /// its one-minute misfire threshold): the next one is due on the grid after now.
    /// </summary>
    internal static readonly TimeSpan LivenessMisfire = TimeSpan.FromMinutes(1);

    public async Task Register(HostRegistration registration)
    {
        if (State.RevokedAt is not null)
        {
            return; // the gateway refuses a revoked host's registration; one that raced the revocation changes nothing
        }
        var now = Clock.GetUtcNow();
        var previous = State.SessionId;
        if (previous is not null && previous != registration.SessionId)
        {
            await EndAssignmentsAsync(
                r => r.Status != (int)AssignmentState.Dispatched,
                $"the agent restarted (session {previous} replaced by {registration.SessionId})");
        }
        State.SessionId = registration.SessionId;
        State.Labels = new Dictionary<string, string>(registration.Labels);
        State.Namespace = Namespaces.Of(registration.Namespace);
        State.Capacity = registration.Capacity;
        State.AgentVersion = registration.AgentVersion;
        State.LastSeen = now;
        State.RegisteredAt = previous == registration.SessionId ? State.RegisteredAt : now;
        State.HeartbeatsSinceCheck++;
        State.SilentChecks = 0;
        State.RemovedAt = null; // a removed host that registers again is back in the inventory
        await SetStatus(HostStatus.Online);
    }

    /// <summary>
    /// Not a turn: a heartbeat is counted in memory and goes into the state at the next liveness check (or status
    /// change), so a 100,000-host fleet's heartbeats cost no writes; only draining or undraining is a turn of its own.
    /// Heartbeats heard by an activation that is lost before its next check are not counted, which at worst makes that
    /// check silent: going offline takes two silent checks in a row.
    /// </summary>
    public Task Heartbeat(string sessionId, bool draining)
    {
        if (sessionId != State.SessionId)
        {
            return Task.CompletedTask; // a session that was replaced
        }
        _heartbeatsHeard++;
        _lastHeard = Clock.GetUtcNow();
        var status = draining ? HostStatus.Draining : HostStatus.Online;
        return status == State.Status ? Task.CompletedTask : TurnAsync(async () =>
        {
            if (sessionId == State.SessionId && status != State.Status && State.Status != HostStatus.Offline)
            {
                TakeHeartbeats();
                await SetStatus(status);
            }
        });
    }

    /// <summary>In a turn: the heartbeats heard since the last one go into the state.</summary>
    private void TakeHeartbeats()
    {
        if (_heartbeatsHeard > 0)
        {
            State.HeartbeatsSinceCheck += _heartbeatsHeard;
            State.SilentChecks = 0;
            _heartbeatsHeard = 0;
        }
        if (_lastHeard is { } heard && (State.LastSeen is null || heard > State.LastSeen))
        {
            State.LastSeen = heard;
        }
    }

    protected override async Task OnWakeUpAsync(string name)
    {
        if (name == StaleCheck)
        {
            RemoveIfStale();
            return;
        }
        if (name != LivenessCheck || State.Status == HostStatus.Offline)
        {
            return;
        }
        TakeHeartbeats();
        var now = Clock.GetUtcNow();
        var due = State.NextCheckAt ?? now;
        ArmLiveness(NextOnGrid(due, now));
        if (now - due > LivenessMisfire)
        {
            return; // missed while the clock jumped (or the silo was down): not a check, the heartbeats count on
        }
        State.SilentChecks = State.HeartbeatsSinceCheck == 0 ? State.SilentChecks + 1 : 0;
        State.HeartbeatsSinceCheck = 0;
        if (State.SilentChecks >= 2)
        {
            await EndAssignmentsAsync(_ => true, $"the agent stopped heartbeating (last seen {State.LastSeen:O})");
            State.SessionId = null;
            await SetStatus(HostStatus.Offline);
        }
    }

    public async Task Revoke(string by)
    {
        if (State.RevokedAt is not null)
        {
            return;
        }
        var now = Clock.GetUtcNow();
        State.RevokedAt = now;
        State.RevokedBy = by;
        var data = DomainJson.Serialize(new { host = GrainKey, by, at = now });
        WriteIndex(new IndexRow(AgentRevocations.Kind, "", AgentRevocations.HostKey(GrainKey), 0, data));
        if (State.SessionId is { } session)
        {
            WriteIndex(new IndexRow(AgentRevocations.Kind, "", AgentRevocations.SessionKey(session), 0, data));
            await EndAssignmentsAsync(_ => true, $"the host's agent was revoked by {by}");
            State.SessionId = null;
        }
        State.RegisteredAt ??= now; // a host revoked before it ever registered is still shown, as revoked
        await SetStatus(HostStatus.Offline);
    }

    public Task Restore(string by)
    {
        if (State.RevokedAt is not null)
        {
            State.RevokedAt = null;
            State.RevokedBy = null;
            // The revoked session's row stays: that credential is never accepted again; a new registration gets a new one.
            DeleteIndex(AgentRevocations.Kind, "", AgentRevocations.HostKey(GrainKey));
        }
        return Task.CompletedTask;
    }

    public Task SetOperation(HostOperation operation, string by)
    {
        if (operation == HostOperation.Drained)
        {
            throw new ArgumentOutOfRangeException(nameof(operation), operation, "Drained is not set: it is a draining host on which nothing runs.");
        }
        if (operation == State.Operation)
        {
            return Task.CompletedTask;
        }
        State.Operation = operation;
        State.OperationBy = by;
        State.OperationAt = Clock.GetUtcNow();
        if (operation == HostOperation.Active)
        {
            DeleteIndex(HostHolds.Kind, "", GrainKey);
        }
        else
        {
            WriteIndex(new IndexRow(HostHolds.Kind, "", GrainKey, (int)operation, null));
        }
        if (State.RegisteredAt is not null && State.RemovedAt is null)
        {
            WriteHostRow();
        }
        return Task.CompletedTask;
    }

    public async Task<HostView?> GetAsync()
    {
        if (State.RegisteredAt is null)
        {
            return null;
        }
        var operation = State.Operation == HostOperation.Draining && !await HostHolds.AnyRunningAsync(Indexes, GrainKey) ? HostOperation.Drained : State.Operation;
        return new HostView(
            GrainKey, State.Status, new Dictionary<string, string>(State.Labels), State.Capacity, State.SessionId, State.AgentVersion, LastSeen, State.RegisteredAt,
            State.RevokedAt, State.RevokedBy, Namespaces.Of(State.Namespace), operation, State.OperationBy, State.OperationAt, State.RemovedAt);
    }

    /// <summary>
    /// The stale check: a host whose agent has been offline for <see cref="RetentionOptions.StaleHostAfter"/> leaves the
    /// inventory (its index row goes; the state stays, with when it was removed). A check that finds the host back
    /// online, or the time not yet up (the setting changed), does nothing or arms itself again.
    /// </summary>
    private void RemoveIfStale()
    {
        var after = StaleHostAfter;
        if (State.Status != HostStatus.Offline || State.RemovedAt is not null || after <= TimeSpan.Zero)
        {
            return;
        }
        var since = State.LastSeen ?? State.RegisteredAt ?? Clock.GetUtcNow();
        var now = Clock.GetUtcNow();
        if (now - since < after)
        {
            ArmWakeUp(StaleCheck, since + after);
            return;
        }
        State.RemovedAt = now;
        DeleteIndex(IndexKinds.Host, "", GrainKey);
    }

    private TimeSpan StaleHostAfter =>
        (ServiceProvider.GetService<IOptions<RetentionOptions>>()?.Value ?? new RetentionOptions()).StaleHostAfter;

    private DateTimeOffset? LastSeen => _lastHeard is { } heard && (State.LastSeen is null || heard > State.LastSeen) ? heard : State.LastSeen;

    private Task SetStatus(HostStatus status)
    {
        var wasOffline = State.Status == HostStatus.Offline;
        State.Status = status;
        WriteHostRow();
        if (status == HostStatus.Offline)
        {
            DisarmWakeUp(LivenessCheck);
            State.NextCheckAt = null;
            if (StaleHostAfter > TimeSpan.Zero)
            {
                ArmWakeUp(StaleCheck, (State.LastSeen ?? Clock.GetUtcNow()) + StaleHostAfter);
            }
        }
        else if (wasOffline || !WakeUps.ContainsKey(LivenessCheck))
        {
            DisarmWakeUp(StaleCheck);
            ArmLiveness(Clock.GetUtcNow() + LivenessPeriod);
        }
        return Task.CompletedTask;
    }

    private void WriteHostRow() =>
        WriteIndex(new IndexRow(IndexKinds.Host, "", GrainKey, (int)State.Status,
            DomainJson.Serialize(new HostIndexData(State.Labels, State.SessionId, State.LastSeen, State.Capacity, Namespaces.Of(State.Namespace), State.Operation))));

    private void ArmLiveness(DateTimeOffset due)
    {
        State.NextCheckAt = due;
        ArmWakeUp(LivenessCheck, due);
    }

    /// <summary>The first check on the grid of <paramref name="due"/> that is after <paramref name="now"/>.</summary>
    private static DateTimeOffset NextOnGrid(DateTimeOffset due, DateTimeOffset now)
    {
        var next = due + LivenessPeriod;
        if (next <= now)
        {
            next += LivenessPeriod * ((now - next).Ticks / LivenessPeriod.Ticks + 1);
        }
        return next;
    }

    /// <summary>Ends the host's open assignments that match: started ones are lost, dispatched ones found no agent.</summary>
    private async Task EndAssignmentsAsync(Func<IndexRow, bool> which, string reason)
    {
        string? after = null;
        while (true)
        {
            var page = await Indexes.QueryAsync(new IndexQuery(IndexKinds.Assignment, [GrainKey]) { AfterKey = after, Limit = 1000 });
            foreach (var row in page.Where(which))
            {
                if (GrainKeys.TryParseAssignment(row.Key, out var targetKey, out _))
                {
                    var status = row.Status == (int)AssignmentState.Dispatched ? TargetStatus.AgentOffline : TargetStatus.AgentLost;
                    await Send<IHostTargetGrain>(targetKey).OnAgentGone(row.Key, status, reason);
                }
            }
            if (page.Count < 1000)
            {
                return;
            }
            after = page[^1].Key;
        }
    }
}
