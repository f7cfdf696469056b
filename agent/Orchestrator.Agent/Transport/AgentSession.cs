using Orchestrator.Agent.Protocol;

namespace Orchestrator.Agent.Transport;

/// <summary>
/// The identity an agent process presents: one session id for the life of the process (registering again with it
/// is harmless), the hosts it answers for, and the intervals the server asked for at registration.
/// </summary>
internal sealed class AgentSession
{
    public AgentSession(IReadOnlyList<AgentHost> hosts)
    {
        ArgumentNullException.ThrowIfNull(hosts);
        Hosts = hosts;
        HostNames = hosts.Select(h => h.Host).ToArray();
    }

    public string SessionId { get; } = Guid.NewGuid().ToString("N");

    public IReadOnlyList<AgentHost> Hosts { get; }

    public IReadOnlyList<string> HostNames { get; }

    /// <summary>Until the first registration answers: 5 s.</summary>
    public TimeSpan HeartbeatInterval { get; private set; } = TimeSpan.FromSeconds(5);

    /// <summary>Until the first registration answers: 30 s.</summary>
    public TimeSpan PollWait { get; private set; } = TimeSpan.FromSeconds(30);

    public static string AgentVersion { get; } =
        typeof(AgentSession).Assembly.GetName().Version?.ToString() ?? "0.0.0";

    /// <summary>Takes the server's intervals, clamped to sane bounds so a bad answer cannot spin or stall the agent.</summary>
    public void Apply(RegisterResponse response)
    {
        ArgumentNullException.ThrowIfNull(response);
        HeartbeatInterval = TimeSpan.FromMilliseconds(Math.Clamp(response.HeartbeatIntervalMs, 50, 3_600_000));
        PollWait = TimeSpan.FromMilliseconds(Math.Clamp(response.PollWaitMs, 0, 300_000));
    }
}
