namespace Orchestrator.Silo;

/// <summary>
/// Settings of the silo process beyond the runtime's: the agent token and the local agent. Set like every other
/// setting (appsettings "Orchestrator", <c>ORCH_AGENT_TOKEN</c>, <c>--agent-token</c>...).
/// </summary>
public sealed class SiloHostingOptions
{
    /// <summary>
    /// The token agents must present. Default: none set, so a single-node (SQLite) silo generates one at its first
    /// start, writes it to <c>data/agent-token</c> (owner-only) for agents on other hosts, and reuses it on later
    /// starts. Required with PostgreSQL: every silo of a cluster must accept the same token.
    /// </summary>
    public string AgentToken { get; set; } = "";

    /// <summary>
    /// Run an agent inside the silo for this host, so a plan can run with nothing else started. Default: on with the
    /// embedded SQLite store (single node), off with PostgreSQL (a cluster has real agents).
    /// </summary>
    public bool? LocalAgent { get; set; }

    /// <summary>
    /// The host name the local agent registers as, under the agents' host name rule (<c>ProtocolNames.IsHostName</c>).
    /// Default <c>local</c>; its labels are <c>local=true</c>.
    /// </summary>
    public string LocalAgentHost { get; set; } = "local";

    /// <summary>How many scripts the local agent runs at once. Default 4.</summary>
    public int LocalAgentCapacity { get; set; } = 4;

    /// <summary>
    /// The secret Harbor's core sends to the jobs API (<c>Authorization: Harbor-Secret &lt;secret&gt;</c>; set it to Harbor's
    /// CORE_SECRET, e.g. <c>ORCH_JOBS_SECRET</c>). Default none set: a single-node (SQLite) silo generates one at its
    /// first start into <c>data/jobs-secret</c> (owner-only) and reuses it; with PostgreSQL the jobs API stays closed
    /// (every call 401) until it is set, the same on every silo. The jobs API is never open without a secret.
    /// </summary>
    public string JobsSecret { get; set; } = "";

    /// <summary>How often an agent's heartbeat is passed on to its host grain; see the API's option of that name. Default 10 s.</summary>
    public TimeSpan AgentHeartbeatForwardInterval { get; set; } = TimeSpan.FromSeconds(10);

    public IEnumerable<string> Validate()
    {
        if (string.IsNullOrWhiteSpace(LocalAgentHost))
        {
            yield return "LocalAgentHost: must not be empty.";
        }
        else if (Agent.Protocol.ProtocolNames.CheckHost(LocalAgentHost) is { } badHost)
        {
            // The local agent would be refused at every registration: say so at start instead.
            yield return "LocalAgentHost: " + badHost;
        }
        if (AgentHeartbeatForwardInterval <= TimeSpan.Zero)
        {
            yield return $"AgentHeartbeatForwardInterval: {AgentHeartbeatForwardInterval} must be positive.";
        }
        if (LocalAgentCapacity < 1)
        {
            yield return $"LocalAgentCapacity: {LocalAgentCapacity} must be at least 1.";
        }
    }
}
