namespace Orchestrator.Client;

/// <summary>
/// Where the API is, who calls it, and how hard the client tries. Every value has a default that suits an operator's
/// tool talking to one cluster; change the timeouts only with the API's own in mind (a command answers within 10 s, or
/// 202 when it takes longer).
/// </summary>
public sealed class OrchestratorClientOptions
{
    /// <summary>The API's address, such as <c>http://127.0.0.1:5080</c> (no default: required).</summary>
    public Uri? BaseAddress { get; set; }

    /// <summary>
    /// The API token sent as <c>Authorization: Bearer &lt;token&gt;</c> on every call. Default none: no
    /// <c>Authorization</c> header. <see cref="TokenProvider"/>, when set, is asked instead.
    /// </summary>
    public string? Token { get; set; }

    /// <summary>
    /// Asked for the bearer token before every call (an OpenID Connect access token that expires, for instance); null
    /// or empty sends none. Default none: <see cref="Token"/> is used.
    /// </summary>
    public Func<CancellationToken, ValueTask<string?>>? TokenProvider { get; set; }

    /// <summary>
    /// How many times a call is tried again after a transient failure (a connection error, a timed-out attempt, 408,
    /// 429, 5xx, or a command answered 202 "not yet applied"). Default 3; 0 turns retries off. Every retry of a command
    /// carries the same <c>Idempotency-Key</c>, so it applies once.
    /// </summary>
    public int MaxRetries { get; set; } = 3;

    /// <summary>
    /// The first retry's back-off; each next one doubles it, with jitter. Default 1 s. A <c>Retry-After</c> from the
    /// server (503 while a silo fails over) is honoured instead.
    /// </summary>
    public TimeSpan RetryDelay { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// How long one attempt may take before it is abandoned and retried. Default 30 s: longer than the API's 10 s
    /// command wait, so that a slow command is answered (202) rather than cut off.
    /// </summary>
    public TimeSpan AttemptTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>How long one call may take with all its retries. Default 2 min.</summary>
    public TimeSpan TotalTimeout { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>
    /// How often <see cref="OrchestratorClient.WatchAsync"/> and <see cref="OrchestratorClient.FollowLogAsync"/> ask
    /// again (the API has no push of progress). Default 1 s; shorter costs the API more reads.
    /// </summary>
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// How long <see cref="OrchestratorClient.WatchAsync"/> waits for an instance that answers 404 to appear (a run
    /// answered 202 is created an instant later). Default 30 s; then the 404 is thrown.
    /// </summary>
    public TimeSpan NotFoundGrace { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>The clock of the polling waits (tests move a fake one). Default the system's.</summary>
    public TimeProvider TimeProvider { get; set; } = TimeProvider.System;

    /// <summary>Throws when a value cannot work, naming the option and the value.</summary>
    public void Validate()
    {
        if (BaseAddress is null || !BaseAddress.IsAbsoluteUri || BaseAddress.Scheme is not ("http" or "https"))
        {
            throw new ArgumentException($"OrchestratorClientOptions.BaseAddress must be an absolute http or https address; it is '{BaseAddress}'.", nameof(BaseAddress));
        }
        Check(MaxRetries >= 0, nameof(MaxRetries), MaxRetries, "0 or more");
        Check(RetryDelay > TimeSpan.Zero, nameof(RetryDelay), RetryDelay, "more than zero");
        Check(AttemptTimeout > TimeSpan.Zero, nameof(AttemptTimeout), AttemptTimeout, "more than zero");
        Check(TotalTimeout >= AttemptTimeout, nameof(TotalTimeout), TotalTimeout, $"at least AttemptTimeout ({AttemptTimeout})");
        Check(PollInterval > TimeSpan.Zero, nameof(PollInterval), PollInterval, "more than zero");
        Check(NotFoundGrace >= TimeSpan.Zero, nameof(NotFoundGrace), NotFoundGrace, "zero or more");
        ArgumentNullException.ThrowIfNull(TimeProvider);
    }

    private static void Check(bool ok, string name, object value, string rule)
    {
        if (!ok)
        {
            throw new ArgumentException($"OrchestratorClientOptions.{name} must be {rule}; it is {value}.", name);
        }
    }
}
