using System.Collections.Concurrent;
using Orchestrator.Api.Hosting;

namespace Orchestrator.Api.Agents;

/// <summary>
/// Forwards an agent's heartbeat to its host grain at most once per <see cref="ApiOptions.HeartbeatForwardInterval"/>
/// (or at once when its draining flag changes), so that a large fleet heartbeating every few seconds costs the
/// cluster one durable command per host per interval, not per beat.
/// </summary>
public sealed class HeartbeatThrottle(ApiOptions options)
{
    private readonly ConcurrentDictionary<string, (long At, bool Draining, string Session)> _last = new(StringComparer.Ordinal);

    public bool ShouldForward(string host, string session, bool draining)
    {
        var now = Environment.TickCount64;
        var interval = (long)options.HeartbeatForwardInterval.TotalMilliseconds;
        if (_last.TryGetValue(host, out var last) && last.Session == session && last.Draining == draining && now - last.At < interval)
        {
            return false;
        }
        _last[host] = (now, draining, session);
        return true;
    }
}
