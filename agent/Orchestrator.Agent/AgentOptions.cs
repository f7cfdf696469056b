using Orchestrator.Agent.Protocol;

namespace Orchestrator.Agent;

/// <summary>
/// Settings of an agent process (or of an agent hosted in-process by the silo). The executable reads them from
/// <c>--name value</c> arguments and <c>ORCH_AGENT_*</c> environment variables; see <c>agent/README.md</c>.
/// </summary>
public sealed partial class AgentOptions
{
    /// <summary>The orchestrator's base address, e.g. <c>http://orchestrator:5080</c>; the agent API is under
    /// <c>/api/v1/agent</c>. Required.</summary>
    public Uri? Server { get; set; }

    /// <summary>The agent token sent as <c>Authorization: Bearer</c>. Required. Never passed to scripts.</summary>
    public string Token { get; set; } = "";

    /// <summary>The host identity this agent answers for. Default: the machine name.</summary>
    public string Host { get; set; } = Environment.MachineName;

    /// <summary>
    /// The namespace the host (or every simulated host) registers in. Default <c>default</c>. Only plans of this
    /// namespace run steps on it, so a host serving one team is out of every other team's reach.
    /// </summary>
    public string Namespace { get; set; } = "default";

    /// <summary>Labels announced for the host (or every simulated host), used by plans to select targets.</summary>
    public Dictionary<string, string> Labels { get; set; } = new(StringComparer.Ordinal);

    /// <summary>Assignments run at once per host. Default 4. More slots finish a wide plan sooner but compete for
    /// the host's CPU and memory with its real workload.</summary>
    public int Capacity { get; set; } = 4;

    /// <summary>Where scripts are written and run (the default working directory). Default: <c>orchestrator-agent</c>
    /// under the system temp directory — a fixed path, so a restarted agent finds its state again.</summary>
    public string WorkDirectory { get; set; } = Path.Combine(Path.GetTempPath(), "orchestrator-agent");

    /// <summary>Where the process groups of running scripts are recorded, so that an agent started after a crash
    /// kills what its predecessor left running. Default: <c>state</c> under <see cref="WorkDirectory"/>.</summary>
    public string? StateDirectory { get; set; }

    /// <summary>Answer for this many simulated hosts (<see cref="HostPrefix"/><c>00001</c>…) whose assignments all
    /// succeed at once, instead of running anything. Default 0: a real agent for <see cref="Host"/>.</summary>
    public int Simulate { get; set; }

    /// <summary>Name prefix of simulated hosts. Default <c>sim-</c>.</summary>
    public string HostPrefix { get; set; } = "sim-";

    /// <summary>Simulated hosts per poll request. Default 2,000: bigger polls mean fewer requests but longer
    /// bodies (every held assignment id is listed).</summary>
    public int HostsPerPoll { get; set; } = 2000;

    /// <summary>After SIGTERM to a timed-out or cancelled script's process group, how long to wait before SIGKILL.
    /// Default 5 s.</summary>
    public TimeSpan KillGracePeriod { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>After a script's main process exited, how long to keep reading output that background children
    /// still write to the inherited pipes before giving up on them. Default 2 s.</summary>
    public TimeSpan OutputDrainTimeout { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>Output lines are gathered into one log chunk for at most this long. Default 200 ms: shorter shows
    /// output sooner, longer sends fewer, bigger chunks.</summary>
    public TimeSpan OutputFlushInterval { get; set; } = TimeSpan.FromMilliseconds(200);

    /// <summary>Largest log chunk, in characters; a longer line is cut. Default 32 KiB, at most 256 KiB (masking
    /// secrets may lengthen a chunk, and the server takes at most 1 Mi characters per chunk).</summary>
    public int MaxChunkChars { get; set; } = 32 * 1024;

    /// <summary>Largest <see cref="MaxChunkChars"/>.</summary>
    public const int MaxChunkCharsLimit = 256 * 1024;

    /// <summary>Output held in memory until the server acknowledges it; past this, scripts' output is no longer read
    /// (so they block on writing) until the server catches up. Default 64 MiB.</summary>
    public long MaxPendingLogChars { get; set; } = 64L * 1024 * 1024;

    /// <summary>Longest wait between retries after a connection error or a 5xx answer (the first waits 100 ms and
    /// each doubles). Default 2 s: the agent finds a restarted API quickly without hammering it.</summary>
    public TimeSpan RetryBackoffMax { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>A report (log chunk or event) that the server keeps failing with a 500 while it stores the others is
    /// given up after failing for this long (and at least three times on its own): a marker in the run's log takes its
    /// place, so one poisoned report cannot hold up a host's reports. Default 1 min; while the server stores nothing
    /// at all (an outage), nothing is given up.</summary>
    public TimeSpan ReportQuarantineAfter { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>Wait between retries after a 401/403 or a rejected registration; these need an operator, not a
    /// quick retry. Default 10 s.</summary>
    public TimeSpan AuthRetryDelay { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Limit of one request other than the long poll (whose limit is its wait plus this) and file
    /// transfers (limited by the assignment's timeout). Default 30 s.</summary>
    public TimeSpan RequestTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>How long a finished assignment's id is remembered so that a repeated delivery of it is ignored.
    /// Default 5 min; the simulated fleet keeps one entry per finished assignment for this long.</summary>
    public TimeSpan RecentlyFinishedRetention { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>How long the agent keeps files in its work and state directories: at start and then daily it deletes
    /// files (and emptied folders) there last written longer ago than this — scripts a crash left behind, and what
    /// scripts wrote into their default working directory — except the process-group records crash safety needs.
    /// Default 7 days; 0 keeps everything. Point <see cref="WorkDirectory"/> at a folder of the agent's own.</summary>
    public TimeSpan LocalRetention { get; set; } = TimeSpan.FromDays(7);
    /// <summary>
    /// Where the agent exports its spans over OTLP/HTTP protobuf (the collector's base address, e.g.
    /// <c>http://otel-collector:4318</c>; <c>/v1/traces</c> is added). Default none: no export, unless the standard
    /// <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> is set (docs/observability.md).
    /// </summary>
    public Uri? OtlpEndpoint { get; set; }

    /// <summary>Console log format: <c>simple</c> (default, one line per entry) or <c>json</c> (with trace and span ids).</summary>
    public string LogFormat { get; set; } = "simple";

    /// <summary>The state directory in effect: <see cref="StateDirectory"/> or its default.</summary>
    public string EffectiveStateDirectory => StateDirectory ?? Path.Combine(WorkDirectory, "state");

    /// <summary>A copy, to vary per agent without touching the original.</summary>
    public AgentOptions Clone()
    {
        var copy = (AgentOptions)MemberwiseClone();
        copy.Labels = new Dictionary<string, string>(Labels, StringComparer.Ordinal);
        copy.NodeLabelPrefixes = [.. NodeLabelPrefixes];
        return copy;
    }

    /// <summary>Checks every option; returns the problems, each naming the option and the bad value.</summary>
    public IReadOnlyList<string> Validate()
    {
        var errors = new List<string>();
        if (Server is null)
        {
            errors.Add("Server: required (the orchestrator's base address, e.g. http://orchestrator:5080).");
        }
        else if (!Server.IsAbsoluteUri || Server.Scheme is not ("http" or "https"))
        {
            errors.Add($"Server: '{Server}' is not an absolute http or https address.");
        }
        if (string.IsNullOrWhiteSpace(Token))
        {
            errors.Add("Token: required (--token or ORCH_AGENT_TOKEN).");
        }
        if (Simulate == 0 && ProtocolNames.CheckHost(Host) is { } badHost)
        {
            errors.Add($"Host: {badHost}");
        }
        if (ProtocolNames.CheckNamespace(Namespace) is { } badNamespace)
        {
            errors.Add($"Namespace: {badNamespace}");
        }
        if (Simulate is < 0 or > 1_000_000)
        {
            errors.Add($"Simulate: {Simulate} is out of range 0-1000000.");
        }
        if (Simulate > 0 && (string.IsNullOrWhiteSpace(HostPrefix) || !ProtocolNames.IsHostName(HostPrefix + "00001")))
        {
            errors.Add($"HostPrefix: '{HostPrefix}' must be letters, digits, '-', '_' or '.' when simulating hosts.");
        }
        foreach (var (name, value) in new[] { (nameof(Capacity), Capacity), (nameof(HostsPerPoll), HostsPerPoll), (nameof(MaxChunkChars), MaxChunkChars) })
        {
            if (value < 1)
            {
                errors.Add($"{name}: {value} must be at least 1.");
            }
        }
        if (Capacity > ProtocolLimits.MaxCapacity)
        {
            errors.Add($"Capacity: {Capacity} is more than {ProtocolLimits.MaxCapacity}.");
        }
        if (MaxChunkChars > MaxChunkCharsLimit)
        {
            errors.Add($"MaxChunkChars: {MaxChunkChars} is more than {MaxChunkCharsLimit}.");
        }
        if (Labels.Count > ProtocolLimits.MaxLabelsPerHost)
        {
            errors.Add($"Labels: {Labels.Count} labels; at most {ProtocolLimits.MaxLabelsPerHost} are allowed.");
        }
        if (MaxPendingLogChars < MaxChunkChars)
        {
            errors.Add($"MaxPendingLogChars: {MaxPendingLogChars} must be at least MaxChunkChars ({MaxChunkChars}).");
        }
        foreach (var (key, value) in Labels)
        {
            if (ProtocolNames.CheckLabel(key, value) is { } badLabel)
            {
                errors.Add($"Labels: {badLabel}");
            }
        }
        if (string.IsNullOrWhiteSpace(WorkDirectory))
        {
            errors.Add("WorkDirectory: must not be empty.");
        }
        foreach (var (name, value) in new[]
                 {
                     (nameof(KillGracePeriod), KillGracePeriod), (nameof(OutputDrainTimeout), OutputDrainTimeout), (nameof(OutputFlushInterval), OutputFlushInterval),
                     (nameof(RetryBackoffMax), RetryBackoffMax), (nameof(AuthRetryDelay), AuthRetryDelay), (nameof(ReportQuarantineAfter), ReportQuarantineAfter), (nameof(RequestTimeout), RequestTimeout),
                     (nameof(RecentlyFinishedRetention), RecentlyFinishedRetention),
                 })
        {
            if (value <= TimeSpan.Zero)
            {
                errors.Add($"{name}: {value} must be greater than zero.");
            }
        }
        ValidateKubernetes(errors);
        if (LocalRetention < TimeSpan.Zero)
        {
            errors.Add($"LocalRetention: {LocalRetention} must not be negative (0 keeps local files forever).");
        }
        return errors;
    }
}
