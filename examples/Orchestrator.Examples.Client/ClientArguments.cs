using System.Globalization;

namespace Orchestrator.Examples.Client;

/// <summary>The example's command line: the plan file, and where the cluster is.</summary>
internal sealed record ClientArguments(string PlanPath, int GatewayPort, string? Postgres, string ClusterId, string ServiceId, TimeSpan Timeout)
{
    public static ClientArguments? Parse(string[] args)
    {
        string? plan = null;
        string? postgres = null;
        var (port, cluster, service, timeout) = (30000, "orchestrator", "orchestrator", TimeSpan.FromMinutes(5));
        for (var i = 0; i < args.Length; i++)
        {
            var value = i + 1 < args.Length ? args[i + 1] : null;
            switch (args[i])
            {
                case "--gateway-port" when int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var p) && p is > 0 and < 65536:
                    port = p;
                    i++;
                    break;
                case "--postgres" when !string.IsNullOrWhiteSpace(value):
                    postgres = value;
                    i++;
                    break;
                case "--cluster-id" when !string.IsNullOrWhiteSpace(value):
                    cluster = value;
                    i++;
                    break;
                case "--service-id" when !string.IsNullOrWhiteSpace(value):
                    service = value;
                    i++;
                    break;
                case "--timeout" when TimeSpan.TryParse(value, CultureInfo.InvariantCulture, out var t) && t > TimeSpan.Zero:
                    timeout = t;
                    i++;
                    break;
                case var file when !file.StartsWith("--", StringComparison.Ordinal) && plan is null:
                    plan = file;
                    break;
                default:
                    return null;
            }
        }
        return plan is null ? null : new ClientArguments(plan, port, postgres, cluster, service, timeout);
    }
}
