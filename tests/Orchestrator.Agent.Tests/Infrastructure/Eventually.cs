namespace Orchestrator.Agent.Tests.Infrastructure;

/// <summary>Waits on a condition with a deadline instead of sleeping; fails saying what was last seen.</summary>
public static class Eventually
{
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(30);

    public static async Task<T> Until<T>(Func<T> probe, Func<T, bool> done, string what, TimeSpan? timeout = null)
    {
        var limit = timeout ?? DefaultTimeout;
        var started = TimeProvider.System.GetTimestamp();
        while (true)
        {
            var last = probe();
            if (done(last))
            {
                return last;
            }
            if (TimeProvider.System.GetElapsedTime(started) > limit)
            {
                throw new TimeoutException($"Timed out after {limit} waiting for {what}; last seen: {Describe(last)}");
            }
            await Task.Delay(TimeSpan.FromMilliseconds(20), TimeProvider.System);
        }
    }

    public static Task True(Func<bool> condition, string what, TimeSpan? timeout = null) => Until(condition, x => x, what, timeout);

    private static string Describe<T>(T value) => value switch
    {
        System.Collections.IEnumerable e and not string => "[" + string.Join(", ", e.Cast<object?>().Take(50)) + "]",
        _ => value?.ToString() ?? "null",
    };
}
