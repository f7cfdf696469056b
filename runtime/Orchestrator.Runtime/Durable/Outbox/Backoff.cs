namespace Orchestrator.Runtime.Durable;

/// <summary>Delays between attempts: doubling from the base up to the maximum, with ±20% jitter so that retries spread.</summary>
internal static class Backoff
{
    /// <summary>The delay after <paramref name="failedAttempts"/> failures (1 → the base).</summary>
    public static TimeSpan After(int failedAttempts, TimeSpan baseDelay, TimeSpan maxDelay, double jitter)
    {
        var exponent = Math.Clamp(failedAttempts - 1, 0, 30);
        var ticks = Math.Min(maxDelay.Ticks, baseDelay.Ticks * (1L << exponent));
        var factor = 0.8 + (0.4 * Math.Clamp(jitter, 0, 1));
        return TimeSpan.FromTicks((long)(ticks * factor));
    }
}
