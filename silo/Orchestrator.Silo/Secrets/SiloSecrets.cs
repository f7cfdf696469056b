namespace Orchestrator.Silo.Secrets;

/// <summary>
/// The agent token, the jobs secret and the admin token the silo uses, and where they came from. Configured values win. Otherwise,
/// on the embedded SQLite store (one silo), each is generated at the first start into <c>data/agent-token</c> and
/// <c>data/jobs-secret</c> and reused on later starts. With PostgreSQL (a cluster) nothing is generated: every silo
/// must accept the same token and secret, so they come from the deployment's configuration — the agent token is
/// required (a configuration error names it), and without a jobs secret the jobs API stays closed. A class, not a
/// record: a record's generated ToString would print the secrets.
/// </summary>
public sealed partial class SiloSecrets(string agentToken, string? jobsSecret, string agentTokenSource, string jobsSecretSource,
    string? adminToken = null, string adminTokenSource = "not configured")
{
    public string AgentToken => agentToken;

    /// <summary>
    /// The bootstrap admin token (admin on every namespace): configured (<c>AdminToken</c>), or on SQLite generated into
    /// <c>data/admin-token</c>; null with PostgreSQL when none is configured (then only JWT callers, if configured, get in).
    /// </summary>
    public string? AdminToken => adminToken;

    /// <summary>Null when none is configured (PostgreSQL): the jobs API is then closed.</summary>
    public string? JobsSecret => jobsSecret;

    public const string AgentTokenFile = "agent-token";
    public const string JobsSecretFile = "jobs-secret";
    public const string AdminTokenFile = "admin-token";

    /// <param name="dataDirectory">Where the files live: <c>data</c> under the silo's content root.</param>
    /// <param name="adminToken">The configured admin token (<c>AdminToken</c>); empty or null when none is.</param>
    public static SiloSecrets Resolve(string store, SiloHostingOptions hosting, string dataDirectory, string? adminToken = null)
    {
        ArgumentNullException.ThrowIfNull(hosting);
        var generate = store == "sqlite";
        var (token, tokenSource) = Pick(hosting.AgentToken, generate, Path.Combine(dataDirectory, AgentTokenFile));
        var (secret, secretSource) = Pick(hosting.JobsSecret, generate, Path.Combine(dataDirectory, JobsSecretFile));
        var (admin, adminSource) = Pick(adminToken ?? "", generate, Path.Combine(dataDirectory, AdminTokenFile));
        return new SiloSecrets(token ?? "", secret, tokenSource, secretSource, admin, adminSource);
    }

    private static (string? Value, string Source) Pick(string configured, bool generate, string file)
    {
        if (configured.Length > 0)
        {
            return (configured, "configured");
        }
        if (!generate)
        {
            return (null, "not configured");
        }
        var (value, outcome) = SecretFile.ReadOrCreate(file);
        return (value, outcome == SecretFileOutcome.Created ? $"generated into {file}" : $"read from {file}");
    }

    /// <summary>Says where each came from, never what it is.</summary>
    public void LogSources(ILogger logger)
    {
        Log.AgentToken(logger, agentTokenSource);
        if (AdminToken is null)
        {
            Log.NoAdminToken(logger);
        }
        else
        {
            Log.AdminToken(logger, adminTokenSource);
        }
        if (JobsSecret is null)
        {
            Log.JobsApiClosed(logger);
        }
        else
        {
            Log.JobsSecret(logger, jobsSecretSource);
        }
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 7301, Level = LogLevel.Information, Message = "Agent token: {Source}")]
        public static partial void AgentToken(ILogger logger, string source);

        [LoggerMessage(EventId = 7302, Level = LogLevel.Information, Message = "Jobs secret (Authorization: Harbor-Secret): {Source}")]
        public static partial void JobsSecret(ILogger logger, string source);

        [LoggerMessage(EventId = 7303, Level = LogLevel.Warning,
            Message = "Jobs API closed: no jobs secret is configured, so every /api/v1/jobs and /api/v1/stats call answers 401; set JobsSecret (ORCH_JOBS_SECRET, the same on every silo) to open it to Harbor")]
        public static partial void JobsApiClosed(ILogger logger);

        [LoggerMessage(EventId = 7304, Level = LogLevel.Information,
            Message = "Admin token (Authorization: Bearer, admin on every namespace; create API tokens with it at /api/v1/tokens): {Source}")]
        public static partial void AdminToken(ILogger logger, string source);

        [LoggerMessage(EventId = 7305, Level = LogLevel.Warning,
            Message = "No admin token is configured: only JWT callers (if JwtIssuer or JwtAuthority is set) and existing API tokens can use the API; set AdminToken (ORCH_ADMIN_TOKEN, the same on every silo) to bootstrap")]
        public static partial void NoAdminToken(ILogger logger);
    }
}
