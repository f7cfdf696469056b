namespace Orchestrator.Api.Hosting;

/// <summary>Options of the REST API and the agent gateway.</summary>
public sealed class ApiOptions
{
    /// <summary>The bearer token agents present. Required; the single-node silo generates one when none is set.</summary>
    public string AgentToken { get; set; } = "";

    /// <summary>How often agents should heartbeat. Default 5 s: a dead agent is noticed within about 30 s.</summary>
    public TimeSpan AgentHeartbeatInterval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// Heartbeats reach the host grain at most this often per host (draining changes go at once). Default 10 s; the
    /// host goes offline after two liveness checks (30 s apart) without one, so keep it under 30 s. Each forward is
    /// one durable command per host: a 100,000-host fleet at 10 s costs 10,000 commands/s.
    /// </summary>
    public TimeSpan HeartbeatForwardInterval { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>How long a long poll waits for work before answering empty. Default 20 s.</summary>
    public TimeSpan AgentPollWait { get; set; } = TimeSpan.FromSeconds(20);

    /// <summary>How often a waiting long poll looks for new assignments. Default 100 ms: the latency it adds, at a small query each time.</summary>
    public TimeSpan AgentPollInterval { get; set; } = TimeSpan.FromMilliseconds(100);

    /// <summary>
    /// How long a REST call waits for its grain to answer a command (the grain answers once it persisted it) before
    /// answering 202 with the resource's URL; Orleans' own response timeout (30 s) also ends the wait. Default 10 s.
    /// </summary>
    public TimeSpan CommandWait { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Largest page a list endpoint returns (the most <c>limit</c> may ask for). Default 1,000.</summary>
    public int MaxPageSize { get; set; } = 1000;

    /// <summary>
    /// Largest file <c>POST /api/v1/files</c> takes; a larger one is answered 413 before it is read. Default 64 MiB, the
    /// store's default <c>MaxBlobBytes</c>; the silo sets it to the store's value (the store refuses more in any case).
    /// </summary>
    public long MaxUploadBytes { get; set; } = 64 * 1024 * 1024;

    /// <summary>
    /// The secret Harbor's core presents to the jobs API (<c>Authorization: Harbor-Secret &lt;secret&gt;</c>, Harbor's
    /// CORE_SECRET); calls without it get 401. Default none, which means closed: every jobs call gets 401, since a
    /// <c>script</c> job runs commands on a host and must never be open to whoever reaches the port. The silo
    /// process sets one (configured, or generated into <c>data/jobs-secret</c>).
    /// </summary>
    public string? JobsSecret { get; set; }

    /// <summary>How callers of the REST API authenticate (API tokens, the admin token, JWTs). Default: API tokens only, no admin token.</summary>
    public Identity.AuthOptions Auth { get; set; } = new();
}
