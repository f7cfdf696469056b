namespace Orchestrator.Silo.Shutdown;

/// <summary>
/// How the drain time (<c>ShutdownDrainTimeout</c>, D) is spent after SIGTERM, so that the process exits within it:
/// the local agent's running work may finish until D/2 (<see cref="WorkLimit"/>); then it is killed, with a
/// SIGTERM-to-SIGKILL grace of at most D/5 (<see cref="KillGrace"/>), and reported; by 3D/4 (<see cref="AgentLimit"/>)
/// the agent is done or abandoned; the web server then closes and the silo hands its shards off by D
/// (<see cref="SiloLimit"/>). The host's own shutdown timeout, D + 5 s, is only a backstop. Starts on the first
/// <see cref="Start"/> (the stop), later calls keep the first start.
/// </summary>
public sealed class ShutdownBudget(TimeSpan drain, TimeProvider clock)
{
    /// <summary>The longest SIGTERM-to-SIGKILL grace the local agent gives a killed script (the agent's own default).</summary>
    public static readonly TimeSpan MaxKillGrace = TimeSpan.FromSeconds(5);

    private long _started = long.MinValue;

    public TimeSpan Drain => drain;

    /// <summary>Running work may finish until then; what still runs is killed.</summary>
    public TimeSpan WorkLimit => drain / 2;

    /// <summary>The local agent is done by then (its kills reported), or it is abandoned.</summary>
    public TimeSpan AgentLimit => drain * 3 / 4;

    /// <summary>The silo's hand-off ends by then; what it has not released is taken over when the leases expire.</summary>
    public TimeSpan SiloLimit => drain;

    /// <summary>The local agent's SIGTERM-to-SIGKILL grace: D/5, at most <see cref="MaxKillGrace"/>, so a kill at
    /// <see cref="WorkLimit"/> ends well before <see cref="AgentLimit"/>.</summary>
    public TimeSpan KillGrace => drain / 5 < MaxKillGrace ? drain / 5 : MaxKillGrace;

    /// <summary>The host's shutdown timeout: a backstop past the drain time.</summary>
    public TimeSpan HostTimeout => drain + TimeSpan.FromSeconds(5);

    public bool Started => Interlocked.Read(ref _started) != long.MinValue;

    /// <summary>Marks the start of the stop; only the first call counts.</summary>
    public void Start() => Interlocked.CompareExchange(ref _started, clock.GetTimestamp(), long.MinValue);

    /// <summary>Time since <see cref="Start"/> (zero before it).</summary>
    public TimeSpan Elapsed => Started ? clock.GetElapsedTime(Interlocked.Read(ref _started)) : TimeSpan.Zero;

    /// <summary>What is left until <paramref name="limit"/> (one of the limits above), never negative.</summary>
    public TimeSpan Until(TimeSpan limit)
    {
        var left = limit - Elapsed;
        return left > TimeSpan.Zero ? left : TimeSpan.Zero;
    }
}
