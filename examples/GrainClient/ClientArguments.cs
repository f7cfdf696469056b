using System.Globalization;
using Orchestrator.Plans.Parsing;

namespace Orchestrator.Examples.GrainClient;

/// <summary>
/// The command line: which cluster to join (a single-node silo's gateway port, or a PostgreSQL cluster's database),
/// which plan to run and how long to follow it. Every error names the argument.
/// </summary>
public sealed record ClientArguments
{
    public const string Usage = """
        usage: GrainClient [--plan FILE] [--plan-id ID] [--param NAME=VALUE]...
                           [--gateway-port PORT | --postgres CONNECTION-STRING]
                           [--cluster-id ID] [--service-id ID] [--timeout DURATION] [--connect-timeout DURATION]

          --plan FILE           a plan in YAML or JSON (e.g. examples/hello.yaml); default: a built-in plan that says
                                hello on the host 'local' (the single-node silo's own agent)
          --plan-id ID          the plan's id in the orchestrator; default: the plan's name
          --param NAME=VALUE    a run parameter (repeat for more)
          --gateway-port PORT   single node: the silo's Orleans gateway on 127.0.0.1 (default 30000, ORCH_GATEWAY_PORT)
          --postgres CS         cluster: find the gateways in the cluster's PostgreSQL database (the silos' connection
                                string, same search path)
          --cluster-id ID       the cluster's ClusterId (default orchestrator, as the silo's)
          --service-id ID       the cluster's ServiceId (default orchestrator, as the silo's)
          --timeout D           how long to follow the run before giving up (default 10m; 90s, 5m, 1h30m)
          --connect-timeout D   how long to try to reach the cluster (default 30s)

        exit codes: 0 the run succeeded; 1 it ended otherwise; 2 bad arguments, an invalid plan or a refused command;
                    3 the cluster could not be reached; 4 the run did not end within --timeout.
        """;

    public string? PlanFile { get; init; }

    public string? PlanId { get; init; }

    public IReadOnlyDictionary<string, string> Parameters { get; init; } = new Dictionary<string, string>();

    public int GatewayPort { get; init; } = 30000;

    public string? PostgresConnectionString { get; init; }

    public string ClusterId { get; init; } = "orchestrator";

    public string ServiceId { get; init; } = "orchestrator";

    public TimeSpan Timeout { get; init; } = TimeSpan.FromMinutes(10);

    public TimeSpan ConnectTimeout { get; init; } = TimeSpan.FromSeconds(30);

    public bool Help { get; init; }

    /// <summary>Reads <paramref name="args"/>; <paramref name="environment"/> supplies the defaults of ORCH_GATEWAY_PORT.</summary>
    public static (ClientArguments? Arguments, string? Error) Parse(IReadOnlyList<string> args, Func<string, string?> environment)
    {
        var result = new ClientArguments();
        if (environment("ORCH_GATEWAY_PORT") is { Length: > 0 } envPort)
        {
            if (!TryPort(envPort, out var port))
            {
                return (null, $"ORCH_GATEWAY_PORT: '{envPort}' is not a port (1 to 65535).");
            }
            result = result with { GatewayPort = port };
        }
        var parameters = new Dictionary<string, string>(StringComparer.Ordinal);
        for (var i = 0; i < args.Count; i++)
        {
            var name = args[i];
            if (name is "-h" or "--help")
            {
                return (result with { Help = true }, null);
            }
            if (i + 1 >= args.Count)
            {
                return (null, $"{name}: a value is missing.");
            }
            var value = args[++i];
            switch (name)
            {
                case "--plan":
                    result = result with { PlanFile = value };
                    break;
                case "--plan-id":
                    result = result with { PlanId = value };
                    break;
                case "--param":
                    var eq = value.IndexOf('=', StringComparison.Ordinal);
                    if (eq <= 0)
                    {
                        return (null, $"--param: '{value}' is not NAME=VALUE.");
                    }
                    parameters[value[..eq]] = value[(eq + 1)..];
                    break;
                case "--gateway-port":
                    if (!TryPort(value, out var port))
                    {
                        return (null, $"--gateway-port: '{value}' is not a port (1 to 65535).");
                    }
                    result = result with { GatewayPort = port };
                    break;
                case "--postgres":
                    result = result with { PostgresConnectionString = value };
                    break;
                case "--cluster-id":
                    result = result with { ClusterId = value };
                    break;
                case "--service-id":
                    result = result with { ServiceId = value };
                    break;
                case "--timeout":
                case "--connect-timeout":
                    if (!DurationFormat.TryParse(value, out var duration) || duration <= TimeSpan.Zero)
                    {
                        return (null, $"{name}: '{value}' is not a positive duration such as 90s, 5m or 1h30m.");
                    }
                    result = name == "--timeout" ? result with { Timeout = duration } : result with { ConnectTimeout = duration };
                    break;
                default:
                    return (null, $"{name}: not an argument of this program (see --help).");
            }
        }
        return (result with { Parameters = parameters }, null);
    }

    private static bool TryPort(string text, out int port) =>
        int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out port) && port is >= 1 and <= 65535;
}
