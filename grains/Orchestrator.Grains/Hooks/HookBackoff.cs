namespace Orchestrator.Grains.Hooks;

/// <summary>Exponential back-off with equal jitter: half the capped exponential delay, plus a random part of the other half.</summary>
internal static class HookBackoff
{
    /// <summary>The wait after failed attempt number <paramref name="attempts"/> (1 for the first).</summary>
    public static TimeSpan Next(int attempts, StatusHookOptions options)
    {
        var exponent = Math.Clamp(attempts - 1, 0, 62);
        var max = options.MaxBackoff.Ticks;
        var initial = options.InitialBackoff.Ticks;
        // initial * 2^exponent, capped at max, without overflowing.
        var capped = initial > max >> exponent ? max : initial << exponent;
        var half = capped / 2;
        // Jitter spreads receivers' recovery load; it is not security relevant, so the shared generator will do.
        return TimeSpan.FromTicks(half + Random.Shared.NextInt64(capped - half + 1));
    }
}
