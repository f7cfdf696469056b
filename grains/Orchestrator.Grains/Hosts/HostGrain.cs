using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Orchestrator.GrainInterfaces;
using Orchestrator.Plans.Model;
using Orchestrator.Grains.Common;
using Orchestrator.Grains.Retention;
using Orchestrator.Runtime.Durable;
using Orchestrator.Runtime.Indexes;
using Orleans.Runtime;

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
}

/// <summary>
/// A host's agent. A new session replaces the old one, and whatever the old session had started is lost (its
/// process died with it). A host whose agent stops heartbeating goes offline, and its open assignments end.
/// <para>
/// Liveness is in memory (<see cref="HostLiveness"/>: checks every 30 s hearing the heartbeats, two silent checks in a
/// row take the host offline), watched by the silo's <see cref="HostLivenessMonitor"/>, which calls
/// <see cref="CheckLiveness"/> only on a host past its offline time. A live host costs no write, no timer and no turn
/// between its changes. What is durable is a backstop: a swept wake-up (no timer, no reminder row) 5 to 7.5 minutes
/// ahead, moved on when the sweeper fires it, so that a host whose activation was lost with its silo, and whose agent
/// died too (no heartbeat comes to activate it again), is still activated, checked, and taken offline. Each online host
/// writes once per backstop (about 270 writes a second at 100,000 hosts, against 3,333 when each check was durable).
/// </para>
/// </summary>
[GrainType("host")]
public sealed class HostGrain : DurableGrain<HostState>, IHostGrain
{
    private const string BackstopWakeUp = "liveness";
    private const string StaleCheck = "stale";

    /// <summary>How far ahead the backstop is kept, plus up to half again at random, so a fleet registered at once does not write at once.</summary>
    internal static readonly TimeSpan BackstopPeriod = TimeSpan.FromMinutes(5);

    private HostLivenessMonitor.Tracked? _tracked;   // this activation's checks in the silo's monitor; null while the host is not live
    private DateTimeOffset? _lastHeard;              // the latest heartbeat heard (not stored until a turn takes it)

    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        if (IsLive)
        {
            StartChecks(); // a new activation (the old one was lost, or collected): count from now
        }
        return Task.CompletedTask;
    }

    public override Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        StopChecks();
        return base.OnDeactivateAsync(reason, cancellationToken);
    }

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
        State.RemovedAt = null; // a removed host that registers again is back in the inventory
        Liveness?.Heard(now);
        await SetStatus(HostStatus.Online);
    }

    /// <summary>
    /// Not a turn: a heartbeat is counted in memory by the liveness checks, and its time goes into the state with the
    /// next write (the backstop, or a change of status), so a 100,000-host fleet's heartbeats cost no writes; only
    /// draining or undraining is a turn of its own.
    /// </summary>
    public Task Heartbeat(string sessionId, bool draining)
    {
        if (sessionId != State.SessionId)
        {
            return Task.CompletedTask; // a session that was replaced
        }
        var now = Clock.GetUtcNow();
        Liveness?.Heard(now);
        _lastHeard = now;
        var status = draining ? HostStatus.Draining : HostStatus.Online;
        return status == State.Status ? Task.CompletedTask : TurnAsync(async () =>
        {
            if (sessionId == State.SessionId && status != State.Status && State.Status != HostStatus.Offline)
            {
                TakeLastSeen();
                await SetStatus(status);
            }
        });
    }

    /// <summary>In a turn: the latest heartbeat heard goes into the state.</summary>
    private void TakeLastSeen()
    {
        if (_lastHeard is { } heard && (State.LastSeen is null || heard > State.LastSeen))
        {
            State.LastSeen = heard;
        }
    }

    /// <summary>Registered, with a session, not offline: its liveness is checked.</summary>
    private bool IsLive => State.RegisteredAt is not null && State.SessionId is not null && State.Status != HostStatus.Offline;

    /// <summary>Starts this activation's liveness checks (if they are not running): the silo's monitor watches them.</summary>
    private void StartChecks() => _tracked ??= Monitor.Track(GrainKey, new HostLiveness(Clock.GetUtcNow()));

    private void StopChecks()
    {
        if (_tracked is not null)
        {
            Monitor.Untrack(_tracked);
        }
        _tracked = null;
    }

    private HostLiveness? Liveness => _tracked?.Liveness;

    private HostLivenessMonitor Monitor => ServiceProvider.GetService<HostLivenessMonitor>()
        ?? throw new InvalidOperationException($"{nameof(HostLivenessMonitor)} is not registered in this silo: call services.{nameof(HostLivenessServiceCollectionExtensions.AddHostLiveness)}().");

    public async Task CheckLiveness()
    {
        if (Liveness is not { } liveness || !IsLive || liveness.Check(Clock.GetUtcNow()) != LivenessVerdict.Offline)
        {
            return;
        }
        await TurnAsync(async () =>
        {
            // Again in the turn: a heartbeat or a registration may have come meanwhile.
            if (IsLive && ReferenceEquals(liveness, Liveness) && Clock.GetUtcNow() >= liveness.OfflineAt)
            {
                TakeLastSeen();
                await EndAssignmentsAsync(_ => true, $"the agent stopped heartbeating (last seen {State.LastSeen:O})");
                State.SessionId = null;
                await SetStatus(HostStatus.Offline);
            }
        });
    }

    protected override Task OnWakeUpAsync(string name)
    {
        if (name == StaleCheck)
        {
            RemoveIfStale();
        }
        else if (name == BackstopWakeUp && IsLive)
        {
            // The backstop: this activation checks (it started when it was activated, by the sweeper for this wake-up
            // if nothing else came); the write moves the backstop on and takes the latest heartbeat's time.
            TakeLastSeen();
            ArmBackstop();
        }
        return Task.CompletedTask;
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
            State.RevokedAt, State.RevokedBy, Namespaces.Of(State.Namespace), operation, State.OperationBy, State.OperationAt, State.RemovedAt,
            Liveness?.SilentChecks(Clock.GetUtcNow()) ?? 0, Liveness?.OfflineAt);
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
        State.Status = status;
        WriteHostRow();
        if (status == HostStatus.Offline)
        {
            DisarmWakeUp(BackstopWakeUp);
            StopChecks();
            if (StaleHostAfter > TimeSpan.Zero)
            {
                ArmWakeUp(StaleCheck, (State.LastSeen ?? Clock.GetUtcNow()) + StaleHostAfter);
            }
        }
        else
        {
            DisarmWakeUp(StaleCheck);
            if (!WakeUps.ContainsKey(BackstopWakeUp))
            {
                ArmBackstop();
            }
            StartChecks();
        }
        return Task.CompletedTask;
    }

    private void WriteHostRow() =>
        WriteIndex(new IndexRow(IndexKinds.Host, "", GrainKey, (int)State.Status,
            DomainJson.Serialize(new HostIndexData(State.Labels, State.SessionId, State.LastSeen, State.Capacity, Namespaces.Of(State.Namespace), State.Operation))));

    private void ArmBackstop() =>
        ArmSweptWakeUp(BackstopWakeUp, Clock.GetUtcNow() + BackstopPeriod + BackstopPeriod / 2 * Random.Shared.NextDouble());

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
