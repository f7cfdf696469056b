namespace Orchestrator.Runtime.Tests.Infrastructure;

/// <summary>Waits on a condition with a deadline instead of sleeping; fails saying what was last seen.</summary>
public static class Eventually
{
    public static async Task<T> Until<T>(Func<Task<T>> probe, Func<T, bool> done, TimeSpan timeout, string what)
    {
        var started = TimeProvider.System.GetTimestamp();
        T last;
        while (true)
        {
            last = await probe();
            if (done(last))
            {
                return last;
            }
            if (TimeProvider.System.GetElapsedTime(started) > timeout)
            {
                throw new TimeoutException($"Timed out after {timeout} waiting for {what}; last seen: {Describe(last)}");
            }
            await Task.Delay(TimeSpan.FromMilliseconds(25), TimeProvider.System);
        }
    }

    private static string Describe<T>(T value) => value switch
    {
        System.Collections.IEnumerable e and not string => "[" + string.Join(", ", e.Cast<object?>().Take(50)) + "]",
        _ => value?.ToString() ?? "null",
    };
}
