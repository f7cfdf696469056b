using System.Globalization;
using Microsoft.Extensions.Logging;

namespace Orchestrator.Agent.Hosting;

/// <summary>What the command line and the environment asked for.</summary>
internal sealed record AgentCommandLineResult(AgentOptions Options, LogLevel LogLevel, bool HelpRequested, IReadOnlyList<string> Errors);

/// <summary>
/// Reads <see cref="AgentOptions"/> from <c>ORCH_AGENT_*</c> environment variables, then <c>--name value</c> (or
/// <c>--name=value</c>) arguments, which win. Every problem is collected and names the setting and the value.
/// </summary>
internal static class AgentCommandLine
{
    private delegate string? Setter(AgentOptions options, string value);

    private sealed record Setting(string Argument, string Description, Setter Set)
    {
        public string Environment => "ORCH_AGENT_" + Argument.Replace('-', '_').ToUpperInvariant();
    }

    private static readonly Setting[] Settings =
    [
        new("server", "orchestrator base address, e.g. http://orchestrator:5080 (required)", (o, v) => Uri.TryCreate(v, UriKind.Absolute, out var uri) ? Assign(() => o.Server = uri) : "not an absolute address"),
        new("token", "agent token (required; prefer ORCH_AGENT_TOKEN, arguments are visible in ps)", (o, v) => Assign(() => o.Token = v)),
        new("host", "host name to answer for (default: machine name)", (o, v) => Assign(() => o.Host = v)),
        new("namespace", "namespace the host registers in (default: default)", (o, v) => Assign(() => o.Namespace = v)),
        new("label", "k=v label of the host; repeatable", (o, v) => AddLabels(o, v, single: true)),
        new("labels", "k=v,k2=v2 labels of the host", (o, v) => AddLabels(o, v, single: false)),
        new("capacity", "assignments run at once (default 4)", (o, v) => Int(v, x => o.Capacity = x)),
        new("work-dir", "where scripts are written and run (default: $TMPDIR/orchestrator-agent)", (o, v) => Assign(() => o.WorkDirectory = v)),
        new("state-dir", "where running process groups are recorded (default: <work-dir>/state)", (o, v) => Assign(() => o.StateDirectory = v)),
        new("simulate", "answer for N simulated hosts that succeed at once (default 0)", (o, v) => Int(v, x => o.Simulate = x)),
        new("host-prefix", "name prefix of simulated hosts (default sim-)", (o, v) => Assign(() => o.HostPrefix = v)),
        new("hosts-per-poll", "simulated hosts per poll request (default 2000)", (o, v) => Int(v, x => o.HostsPerPoll = x)),
        new("kill-grace", "SIGTERM-to-SIGKILL wait for killed scripts (default 5s)", (o, v) => Duration(v, x => o.KillGracePeriod = x)),
        new("output-drain-timeout", "how long to read background children's output after a script exits (default 2s)", (o, v) => Duration(v, x => o.OutputDrainTimeout = x)),
        new("flush-interval", "longest time output waits before it is sent (default 200ms)", (o, v) => Duration(v, x => o.OutputFlushInterval = x)),
        new("max-chunk-chars", "largest log chunk in characters (default 32768, at most 262144)", (o, v) => Int(v, x => o.MaxChunkChars = x)),
        new("max-pending-log-chars", "unacknowledged output held before scripts are throttled (default 67108864)", (o, v) => Long(v, x => o.MaxPendingLogChars = x)),
        new("retry-backoff-max", "longest wait between retries (default 2s)", (o, v) => Duration(v, x => o.RetryBackoffMax = x)),
        new("report-quarantine-after", "give up a report the server keeps failing while it stores others after (default 1m)", (o, v) => Duration(v, x => o.ReportQuarantineAfter = x)),
        new("auth-retry-delay", "wait between retries after 401/403 (default 10s)", (o, v) => Duration(v, x => o.AuthRetryDelay = x)),
        new("request-timeout", "limit of one API request (default 30s)", (o, v) => Duration(v, x => o.RequestTimeout = x)),
        new("otlp-endpoint", "export the agent's spans over OTLP/HTTP to this collector, e.g. http://collector:4318 (default: none, or OTEL_EXPORTER_OTLP_ENDPOINT)",
            (o, v) => Uri.TryCreate(v, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https" ? Assign(() => o.OtlpEndpoint = uri) : "not an absolute http or https address"),
        new("log-format", "console log format: simple or json (default simple; ORCH_LOG_FORMAT too)",
            (o, v) => v is "simple" or "json" ? Assign(() => o.LogFormat = v) : "must be simple or json"),
        new("finished-retention", "how long finished assignment ids are remembered (default 5m)", (o, v) => Duration(v, x => o.RecentlyFinishedRetention = x)),
        new("token-file", "read the agent token from this file (a mounted secret, a systemd credential) instead of --token", (o, v) => TokenFile(o, v)),
        new("kubernetes-node", "the Kubernetes node this agent runs on (spec.nodeName): its labels selected by --node-label-prefix become host labels", (o, v) => Assign(() => o.KubernetesNode = v)),
        new("node-label-prefix", "prefix=replacement (or prefix): node labels starting with prefix become host labels; repeatable, or comma-separated", (o, v) => AddNodeLabelPrefixes(o, v)),
        new("local-retention", "how long files in the work and state directories are kept (default 7d; 0 keeps them)", (o, v) => Duration(v, x => o.LocalRetention = x)),
    ];

    /// <summary>The environment variables the agent reads (<c>ORCH_AGENT_*</c>), for checks of deployment files.</summary>
    internal static IReadOnlyList<string> EnvironmentNames { get; } = [.. Settings.Select(s => s.Environment), "ORCH_AGENT_LOG_LEVEL"];

    public static AgentCommandLineResult Parse(IReadOnlyList<string> args, IReadOnlyDictionary<string, string?> environment)
    {
        ArgumentNullException.ThrowIfNull(args);
        ArgumentNullException.ThrowIfNull(environment);
        var options = new AgentOptions();
        var errors = new List<string>();
        var logLevel = LogLevel.Information;
        var help = false;

        foreach (var setting in Settings)
        {
            if (environment.TryGetValue(setting.Environment, out var value) && !string.IsNullOrEmpty(value))
            {
                Apply(options, setting, value, setting.Environment, errors);
            }
        }
        if (!environment.ContainsKey("ORCH_AGENT_LOG_FORMAT") && environment.TryGetValue("ORCH_LOG_FORMAT", out var format) && format is "json" or "simple")
        {
            options.LogFormat = format; // the setting the silo and the API read too
        }
        if (environment.TryGetValue("ORCH_AGENT_LOG_LEVEL", out var envLevel) && !string.IsNullOrEmpty(envLevel))
        {
            logLevel = ParseLogLevel(envLevel, "ORCH_AGENT_LOG_LEVEL", errors) ?? logLevel;
        }

        var fromArguments = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < args.Count; i++)
        {
            var arg = args[i];
            if (arg is "-h" or "--help")
            {
                help = true;
                continue;
            }
            if (!arg.StartsWith("--", StringComparison.Ordinal) || arg.Length == 2)
            {
                errors.Add($"'{arg}': unexpected argument; options look like --name value (see --help).");
                continue;
            }
            var name = arg[2..];
            string? value = null;
            var equals = name.IndexOf('=', StringComparison.Ordinal);
            if (equals >= 0)
            {
                value = name[(equals + 1)..];
                name = name[..equals];
            }
            var setting = Array.Find(Settings, s => s.Argument == name);
            if (setting is null && name != "log-level")
            {
                errors.Add($"--{name}: unknown option (see --help).");
                if (value is null && i + 1 < args.Count && !args[i + 1].StartsWith("--", StringComparison.Ordinal))
                {
                    i++;
                }
                continue;
            }
            if (value is null)
            {
                if (i + 1 >= args.Count)
                {
                    errors.Add($"--{name}: a value is required.");
                    continue;
                }
                value = args[++i];
            }
            if (setting is null)
            {
                logLevel = ParseLogLevel(value, "--log-level", errors) ?? logLevel;
                continue;
            }
            // Labels from arguments replace those from the environment rather than merging with them.
            if (name is "label" or "labels" && fromArguments.Add("labels"))
            {
                options.Labels.Clear();
            }
            if (name is "node-label-prefix" && fromArguments.Add(name))
            {
                options.NodeLabelPrefixes.Clear();
            }
            Apply(options, setting, value, "--" + name, errors);
        }

        if (!help)
        {
            errors.AddRange(options.Validate());
        }
        return new AgentCommandLineResult(options, logLevel, help, errors);
    }

    /// <summary>The --help text: every option with its environment variable.</summary>
    public static string Usage()
    {
        var lines = new List<string>
        {
            "Orchestrator agent: runs the orchestrator's assignments on this host.",
            "",
            "usage: Orchestrator.Agent --server URL [--token TOKEN] [options]",
            "",
        };
        foreach (var setting in Settings)
        {
            lines.Add($"  --{setting.Argument,-22} {setting.Description} [{setting.Environment}]");
        }
        lines.Add($"  --{"log-level",-22} Trace, Debug, Information, Warning, Error (default Information) [ORCH_AGENT_LOG_LEVEL]");
        lines.Add("");
        lines.Add("Durations: 200ms, 5s, 2m, 1h or hh:mm:ss. SIGTERM or Ctrl-C drains: running assignments finish and report, then the agent exits 0.");
        return string.Join(System.Environment.NewLine, lines);
    }

    private static void Apply(AgentOptions options, Setting setting, string value, string source, List<string> errors)
    {
        var problem = setting.Set(options, value);
        if (problem is not null)
        {
            errors.Add($"{source}: '{value}' is invalid: {problem}.");
        }
    }

    private static string? Assign(Action assign)
    {
        assign();
        return null;
    }

    private static string? Int(string value, Action<int> assign)
    {
        if (!int.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out var parsed))
        {
            return "not a whole number";
        }
        assign(parsed);
        return null;
    }

    private static string? Long(string value, Action<long> assign)
    {
        if (!long.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out var parsed))
        {
            return "not a whole number";
        }
        assign(parsed);
        return null;
    }

    private static string? Duration(string value, Action<TimeSpan> assign)
    {
        if (!TryParseDuration(value, out var parsed))
        {
            return "not a duration (200ms, 5s, 2m, 1h, 7d or hh:mm:ss)";
        }
        assign(parsed);
        return null;
    }

    internal static bool TryParseDuration(string value, out TimeSpan duration)
    {
        var text = value.Trim();
        (string Suffix, double Milliseconds)[] units = [("ms", 1), ("s", 1000), ("m", 60_000), ("h", 3_600_000), ("d", 86_400_000)];
        foreach (var (suffix, milliseconds) in units)
        {
            if (text.EndsWith(suffix, StringComparison.OrdinalIgnoreCase)
                && double.TryParse(text[..^suffix.Length], NumberStyles.Float, CultureInfo.InvariantCulture, out var amount) && amount >= 0)
            {
                duration = TimeSpan.FromMilliseconds(amount * milliseconds);
                return true;
            }
        }
        return TimeSpan.TryParseExact(text, "c", CultureInfo.InvariantCulture, out duration);
    }

    private static string? AddLabels(AgentOptions options, string value, bool single)
    {
        var pairs = single ? [value] : value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        foreach (var pair in pairs)
        {
            var equals = pair.IndexOf('=', StringComparison.Ordinal);
            if (equals <= 0)
            {
                return $"'{pair}' is not k=v";
            }
            options.Labels[pair[..equals].Trim()] = pair[(equals + 1)..].Trim();
        }
        return null;
    }

    private static string? TokenFile(AgentOptions options, string path)
    {
        string text;
        try
        {
            text = File.ReadAllText(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            return $"cannot be read ({ex.GetType().Name}: {ex.Message})";
        }
        // One trailing line break is the file's end (echo adds one), as for the silo's ORCH_*_FILE settings.
        var token = text.EndsWith("\r\n", StringComparison.Ordinal) ? text[..^2] : text.EndsWith('\n') ? text[..^1] : text;
        if (token.Length == 0)
        {
            return "the file is empty";
        }
        options.Token = token;
        return null;
    }

    private static string? AddNodeLabelPrefixes(AgentOptions options, string value)
    {
        foreach (var entry in value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (Kubernetes.NodeLabelMapping.Parse(entry, out var error) is not { } mapping)
            {
                return error;
            }
            options.NodeLabelPrefixes.Add(mapping);
        }
        return null;
    }

    private static LogLevel? ParseLogLevel(string value, string source, List<string> errors)
    {
        if (Enum.TryParse<LogLevel>(value, ignoreCase: true, out var level) && Enum.IsDefined(level))
        {
            return level;
        }
        errors.Add($"{source}: '{value}' is not a log level (Trace, Debug, Information, Warning, Error, Critical, None).");
        return null;
    }
}
