using Orchestrator.Runtime.Tests.Infrastructure;

namespace Orchestrator.Runtime.Tests.Durable.Infrastructure;

/// <summary>Moves a manual clock in steps until a condition holds, giving the cluster a moment to react after each step.</summary>
public static class ClockDriver
{
    public static async Task<T> AdvanceUntilAsync<T>(this ManualTimeProvider clock, Func<Task<T>> probe, Func<T, bool> done, TimeSpan step, TimeSpan atMost, string what)
    {
        var moved = TimeSpan.Zero;
        var started = TimeProvider.System.GetTimestamp();
        while (true)
        {
            try
            {
                return await Eventually.Until(probe, done, TimeSpan.FromMilliseconds(300), what);
            }
            catch (TimeoutException) when (moved < atMost && TimeProvider.System.GetElapsedTime(started) < TimeSpan.FromSeconds(90))
            {
                clock.Advance(step);
                moved += step;
            }
        }
    }
}
