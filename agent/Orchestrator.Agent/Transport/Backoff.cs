namespace Orchestrator.Agent.Transport;

/// <summary>Retry delays: 100 ms doubling up to a cap, each with ±20 % jitter so a fleet does not retry in step.</summary>
internal struct Backoff(TimeSpan max)
{
    private static readonly TimeSpan First = TimeSpan.FromMilliseconds(100);
    private int attempt;

    public TimeSpan Next()
    {
        var ms = Math.Min(max.TotalMilliseconds, First.TotalMilliseconds * Math.Pow(2, Math.Min(attempt, 20)));
        attempt++;
        return TimeSpan.FromMilliseconds(ms * (0.8 + (0.4 * Random.Shared.NextDouble())));
    }
}
