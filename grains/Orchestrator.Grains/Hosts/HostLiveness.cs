namespace Orchestrator.Grains.Hosts;

/// <summary>What a liveness check found.</summary>
public enum LivenessVerdict
{
    /// <summary>The check was due long before it ran (the clock jumped, or the activation was busy): not counted.</summary>
    Skipped,

    /// <summary>A heartbeat (or a registration) came since the last check: the host is alive.</summary>
    Heard,

    /// <summary>Nothing came since the last check, for the first time in a row: not yet offline.</summary>
    Silent,

    /// <summary>Nothing came for <see cref="HostLiveness.SilentChecksToOffline"/> checks in a row: the agent is gone.</summary>
    Offline,
}

/// <summary>
/// The liveness checks of one host grain's activation, in memory: a check every <see cref="Period"/> on a grid from
/// when they started counts the heartbeats heard since the one before, and two silent checks in a row take the host
/// offline. A check handled more than <see cref="Misfire"/> after it was due is skipped, not counted (the clock jumped,
/// or the silo was stalled), so moving the clock alone never takes a live host offline. Nothing here is stored: an
/// activation that is lost starts counting again in the next one, which at worst delays going offline by two periods.
/// </summary>
public sealed class HostLiveness
{
    /// <summary>How often liveness is checked; a host is offline after two checks without a heartbeat (30 to 60 s).</summary>
    public static readonly TimeSpan Period = TimeSpan.FromSeconds(30);

    /// <summary>A check handled later than this after its due time was missed, not made; the next one is due on the grid after now.</summary>
    public static readonly TimeSpan Misfire = TimeSpan.FromMinutes(1);

    public const int SilentChecksToOffline = 2;

    /// <summary>Checks begin one period after <paramref name="start"/>, which counts as a heartbeat (a registration, or an activation that was just called).</summary>
    public HostLiveness(DateTimeOffset start)
    {
        NextCheck = start + Period;
        HeardSinceCheck = 1;
    }

    /// <summary>When the next check is due.</summary>
    public DateTimeOffset NextCheck { get; private set; }

    /// <summary>Checks in a row that heard nothing.</summary>
    public int SilentChecks { get; private set; }

    /// <summary>Heartbeats since the last check.</summary>
    public int HeardSinceCheck { get; private set; }

    /// <summary>Whether the host is to go offline: enough silent checks, and no heartbeat since the last of them.</summary>
    public bool Gone => SilentChecks >= SilentChecksToOffline && HeardSinceCheck == 0;

    /// <summary>A heartbeat, or a registration.</summary>
    public void Heard() => HeardSinceCheck++;

    /// <summary>Makes the check that is due (the caller's timer fired at <paramref name="now"/>) and moves to the next one on the grid.</summary>
    public LivenessVerdict Check(DateTimeOffset now)
    {
        var due = NextCheck;
        NextCheck = NextOnGrid(due, now);
        if (now - due > Misfire)
        {
            return LivenessVerdict.Skipped; // the heartbeats count on into the next check
        }
        if (HeardSinceCheck > 0)
        {
            HeardSinceCheck = 0;
            SilentChecks = 0;
            return LivenessVerdict.Heard;
        }
        SilentChecks++;
        return Gone ? LivenessVerdict.Offline : LivenessVerdict.Silent;
    }

    /// <summary>The first check on the grid of <paramref name="due"/> that is after <paramref name="now"/>.</summary>
    private static DateTimeOffset NextOnGrid(DateTimeOffset due, DateTimeOffset now)
    {
        var next = due + Period;
        if (next <= now)
        {
            next += Period * ((now - next).Ticks / Period.Ticks + 1);
        }
        return next;
    }
}
