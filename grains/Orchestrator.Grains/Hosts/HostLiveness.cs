namespace Orchestrator.Grains.Hosts;

/// <summary>What a liveness check found.</summary>
public enum LivenessVerdict
{
    /// <summary>Not due: a heartbeat (or the start) is recent enough.</summary>
    Alive,

    /// <summary>
    /// Due long ago (more than <see cref="HostLiveness.Misfire"/>): the clock jumped, or the silo stalled, so the silent
    /// checks were not really made. Not counted: the host counts as heard now.
    /// </summary>
    Skipped,

    /// <summary>Nothing heard for <see cref="HostLiveness.SilentChecksToOffline"/> checks in a row: the agent is gone.</summary>
    Offline,
}

/// <summary>
/// The liveness of one host grain's activation, in memory: checks every <see cref="Period"/> on a grid from when they
/// started, each hearing the heartbeats since the one before; two silent checks in a row take the host offline. Only the
/// latest heartbeat matters for that (check <c>k</c> hears a heartbeat at <c>h</c> when <c>t(k-1) &lt;= h &lt; t(k)</c>),
/// so nothing runs at the checks themselves: <see cref="OfflineAt"/> is the second check after the latest heartbeat, and
/// the silo's <see cref="HostLivenessMonitor"/> asks the grain to check once it has passed. A check found more than
/// <see cref="Misfire"/> past due is skipped, never counted, so moving the clock alone never takes a live host offline.
/// Nothing here is stored: an activation that is lost starts counting again in the next one (it counts as heard at its
/// start), which at worst delays going offline by two periods.
/// <para>
/// Thread use: the grain calls <see cref="Heard"/> and <see cref="Check"/>; the monitor reads <see cref="OfflineAt"/>
/// from its timer, and calls <see cref="Heard"/> when it looked away too long (the clock jumped, the silo stalled).
/// </para>
/// </summary>
public sealed class HostLiveness
{
    /// <summary>How often liveness is checked; a host is offline after two checks without a heartbeat (60 to 90 s after its last).</summary>
    public static readonly TimeSpan Period = TimeSpan.FromSeconds(30);

    /// <summary>A check handled later than this after it was due was missed, not made.</summary>
    public static readonly TimeSpan Misfire = TimeSpan.FromMinutes(1);

    public const int SilentChecksToOffline = 2;

    private readonly long _origin;  // UTC ticks of the grid's origin: checks at _origin + k * Period
    private long _heard;            // UTC ticks of the latest heartbeat (or the start, or a skipped check)

    /// <summary>Checks every period from <paramref name="start"/>, which counts as heard (a registration, or an activation that was just called).</summary>
    public HostLiveness(DateTimeOffset start)
    {
        _origin = start.UtcTicks;
        _heard = start.UtcTicks;
    }

    /// <summary>The latest heartbeat, or the start (or a skipped check) if none came since.</summary>
    public DateTimeOffset LastHeard => new(Volatile.Read(ref _heard), TimeSpan.Zero);

    /// <summary>The check at which the host goes offline unless a heartbeat comes first: the second after the latest one heard.</summary>
    public DateTimeOffset OfflineAt => FirstCheckAfter(Volatile.Read(ref _heard)) + Period * SilentChecksToOffline;

    /// <summary>A heartbeat (or a registration, or a pardon of the monitor's) at <paramref name="at"/>; safe from any thread, never moves back.</summary>
    public void Heard(DateTimeOffset at)
    {
        var ticks = at.UtcTicks;
        var seen = Volatile.Read(ref _heard);
        while (ticks > seen)
        {
            var was = Interlocked.CompareExchange(ref _heard, ticks, seen);
            if (was == seen)
            {
                return;
            }
            seen = was;
        }
    }

    /// <summary>The checks made by <paramref name="now"/> that heard nothing, in a row up to now.</summary>
    public int SilentChecks(DateTimeOffset now)
    {
        var counting = FirstCheckAfter(Volatile.Read(ref _heard)); // the check that heard the latest heartbeat
        return now < counting ? 0 : (int)Math.Min(int.MaxValue, (now - counting).Ticks / Period.Ticks);
    }

    /// <summary>The check due by <paramref name="now"/>, if one is: offline, skipped (counted as heard now), or alive.</summary>
    public LivenessVerdict Check(DateTimeOffset now)
    {
        var due = OfflineAt;
        if (now < due)
        {
            return LivenessVerdict.Alive;
        }
        if (now - due > Misfire)
        {
            Heard(now);
            return LivenessVerdict.Skipped;
        }
        return LivenessVerdict.Offline;
    }

    /// <summary>The first check on the grid strictly after <paramref name="ticks"/>.</summary>
    private DateTimeOffset FirstCheckAfter(long ticks)
    {
        var elapsed = Math.Max(0, ticks - _origin);
        var checks = elapsed / Period.Ticks + 1;
        return new DateTimeOffset(_origin + checks * Period.Ticks, TimeSpan.Zero);
    }
}
