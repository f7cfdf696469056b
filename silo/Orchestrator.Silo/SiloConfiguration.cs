using System.Globalization;
using Orchestrator.Runtime.Hosting;

namespace Orchestrator.Silo;

/// <summary>
/// Reads <see cref="RuntimeOptions"/> from, in rising precedence: appsettings.json (section "Orchestrator"),
/// <c>ORCH_*</c> environment variables (<c>ORCH_STORE</c>, <c>ORCH_CONNECTION_STRING</c>, <c>ORCH_SILO_NAME</c>,
/// <c>ORCH_SHARD_COUNT</c>, <c>ORCH_LEASE_TIME</c>, …: the option name in upper snake case) and command-line
/// arguments (<c>--store postgres</c>, <c>--connection-string …</c>, <c>--silo-name …</c>, <c>--shard-count …</c>,
/// <c>--lease-time 00:00:15</c>, …). Unknown names and unreadable values are errors that name the setting.
/// </summary>
public static class SiloConfiguration
{
    public static RuntimeOptions Read(IConfiguration configuration, IReadOnlyDictionary<string, string?> environment, string[] args, out IReadOnlyList<string> errors) =>
        Read(configuration, environment, args, out _, out errors);

    /// <summary>Reads the runtime options and the silo's own hosting settings (agent token, local agent) together.</summary>
    public static RuntimeOptions Read(IConfiguration configuration, IReadOnlyDictionary<string, string?> environment, string[] args, out SiloHostingOptions hosting,
        out IReadOnlyList<string> errors)
    {
        var options = new RuntimeOptions();
        var hostingOptions = new SiloHostingOptions();
        hosting = hostingOptions;
        var problems = new List<string>();
        var properties = typeof(RuntimeOptions).GetProperties().Where(p => p.CanWrite).Select(p => (Target: (object)options, Property: p))
            .Concat(typeof(SiloHostingOptions).GetProperties().Where(p => p.CanWrite).Select(p => (Target: (object)hostingOptions, Property: p)))
            .ToDictionary(p => p.Property.Name, StringComparer.OrdinalIgnoreCase);

        foreach (var child in configuration.GetSection("Orchestrator").GetChildren())
        {
            Set(properties, child.Key, child.Value, $"appsettings Orchestrator:{child.Key}", problems, strict: true);
        }
        foreach (var (key, value) in environment)
        {
            if (key.StartsWith("ORCH_", StringComparison.Ordinal))
            {
                Set(properties, key[5..].Replace("_", "", StringComparison.Ordinal), value, key, problems, strict: false);
            }
        }
        for (var i = 0; i < args.Length; i++)
        {
            if (!args[i].StartsWith("--", StringComparison.Ordinal))
            {
                continue;
            }
            var name = args[i][2..].Replace("-", "", StringComparison.Ordinal);
            if (name is "urls" or "environment" or "contentroot" or "applicationname")
            {
                i++;
                continue;
            }
            if (i + 1 >= args.Length)
            {
                problems.Add($"{args[i]}: a value is required.");
                break;
            }
            Set(properties, name, args[++i], args[i - 1], problems, strict: true);
        }
        problems.AddRange(options.Validate());
        problems.AddRange(hostingOptions.Validate());
        if (options.Store == "postgres" && hostingOptions.AgentToken.Length == 0)
        {
            // Nothing is generated for a cluster: a token made by one silo would be refused by the others.
            problems.Add("AgentToken: required with the postgres store, where every silo must accept the same token: set --agent-token or ORCH_AGENT_TOKEN, the same on every silo.");
        }
        errors = problems;
        return options;
    }

    private static void Set(Dictionary<string, (object Target, System.Reflection.PropertyInfo Property)> properties, string name, string? value, string source,
        List<string> problems, bool strict)
    {
        if (!properties.TryGetValue(name, out var entry))
        {
            if (strict)
            {
                problems.Add($"{source}: unknown setting; known settings are {string.Join(", ", properties.Keys.Order())}.");
            }
            return;
        }
        var property = entry.Property;
        try
        {
            object? converted = property.PropertyType == typeof(TimeSpan) ? TimeSpan.Parse(value!, CultureInfo.InvariantCulture)
                : property.PropertyType == typeof(int) ? int.Parse(value!, CultureInfo.InvariantCulture)
                : property.PropertyType == typeof(bool?) ? (string.IsNullOrEmpty(value) ? null : bool.Parse(value))
                : value ?? "";
            property.SetValue(entry.Target, converted);
        }
        catch (Exception ex) when (ex is FormatException or OverflowException or ArgumentNullException)
        {
            problems.Add($"{source}: '{value}' is not a valid {(property.PropertyType == typeof(TimeSpan) ? "time span (hh:mm:ss)" : property.PropertyType.Name)}.");
        }
    }
}
