using System.Reflection;
using System.Text;
using Microsoft.Extensions.Configuration.Memory;
using Orchestrator.Api.Identity;
using Orchestrator.Containers.Clusters;
using Orchestrator.Containers.Execution;
using Orchestrator.Grains.Requests;
using Orchestrator.Grains.Retention;
using Orchestrator.Runtime.Durable;
using Orchestrator.Runtime.Persistence;

namespace Orchestrator.Silo;

/// <summary>Every setting of the silo process, bound and checked (<see cref="SiloConfiguration.Read"/>).</summary>
public sealed record SiloSettings(OrchestratorDatabaseOptions Database, SiloNodeOptions Node, SiloHostingOptions Hosting, DurableOptions Durable,
    IdempotencyOptions Idempotency, AuthOptions Auth)
{
    /// <summary>How long finished work stays and how the retention pass runs (<see cref="RetentionConfiguration"/>).</summary>
    public RetentionOptions Retention { get; init; } = new();

    /// <summary>How container steps' Jobs are watched (<see cref="ContainerConfiguration"/>: <c>Container*</c> settings).</summary>
    public JobRunOptions JobRun { get; init; } = new();

    /// <summary>How registered clusters are probed (<see cref="ContainerConfiguration"/>: <c>Cluster*</c> settings).</summary>
    public ClusterHealthOptions ClusterHealth { get; init; } = new();
}

/// <summary>
/// Binds the silo's settings through <c>Microsoft.Extensions.Configuration</c> from one section, <c>Orchestrator</c>, fed
/// in rising precedence by appsettings.json, <c>ORCH_*</c> environment variables (the setting's name in upper snake case:
/// <c>ORCH_CONNECTION_STRING</c>, <c>ORCH_CLUSTER_ID</c>, ...) and command-line arguments in kebab case
/// (<c>--connection-string …</c>, <c>--silo-port 11112</c>); a variable <c>ORCH_&lt;SETTING&gt;_FILE</c> reads the setting from a file
/// (<see cref="SettingFiles"/>: secrets from a mounted Kubernetes Secret). The settings are the properties of
/// <see cref="OrchestratorDatabaseOptions"/>, <see cref="SiloNodeOptions"/>, <see cref="SiloHostingOptions"/>,
/// <see cref="DurableOptions"/>, <see cref="IdempotencyOptions"/>, <see cref="AuthOptions"/> (the admin token, JWT bearer settings) and <see cref="RetentionOptions"/>,
/// and those of container steps, prefixed (<see cref="ContainerConfiguration"/>). An unknown name in appsettings or the arguments, a value that does not convert and a
/// value the options refuse are errors naming the setting; settings of the replaced runtime (<c>ShardCount</c>,
/// <c>LeaseTime</c>, ...) are refused with what replaced them.
/// </summary>
public static class SiloConfiguration
{
    public const string Section = "Orchestrator";

    /// <summary>Host arguments the web host reads itself (<c>--urls</c>, <c>--contentroot</c>, ...), not settings of ours.</summary>
    private static readonly HashSet<string> HostArguments = new(StringComparer.OrdinalIgnoreCase) { "urls", "environment", "contentroot", "applicationname" };

    /// <summary>Settings of the runtime Orleans replaced, and what to do instead.</summary>
    private static readonly Dictionary<string, string> Retired = new(StringComparer.OrdinalIgnoreCase)
    {
        ["ShardCount"] = "no longer used: Orleans places grains on silos; remove it.",
        ["LeaseTime"] = "no longer used: Orleans' membership declares a dead silo's grains free; remove it.",
        ["Address"] = "replaced by AdvertisedAddress (ORCH_ADVERTISED_ADDRESS, --advertised-address).",
        ["MaxMessageAttempts"] = "replaced by MaxDeliveryAttempts (ORCH_MAX_DELIVERY_ATTEMPTS, --max-delivery-attempts).",
        ["DedupeRetention"] = "replaced by AppliedKeysRetention (ORCH_APPLIED_KEYS_RETENTION, --applied-keys-retention).",
        ["IdleCollectionAge"] = "no longer used: Orleans collects idle activations; remove it.",
        ["InboxPollInterval"] = "no longer used: grains call each other through Orleans; remove it.",
        ["FetchBatchSize"] = "no longer used: grains call each other through Orleans; remove it.",
        ["MaxInFlight"] = "no longer used: see MaxConcurrentDeliveries; remove it.",
        ["MaxTurnsPerCommit"] = "no longer used: see CommitBatchSize; remove it.",
        ["ReminderPollInterval"] = "no longer used: Orleans runs reminders; remove it.",
        ["ReminderLookahead"] = "no longer used: Orleans runs reminders; remove it.",
        ["MisfireThreshold"] = "no longer used: Orleans runs reminders; remove it.",
        ["CatchUpWindow"] = "no longer used: Orleans runs reminders; remove it.",
    };

    /// <summary>The setting names (property names of the six option types), case-insensitive.</summary>
    public static IReadOnlySet<string> Names { get; } = new[] { typeof(OrchestratorDatabaseOptions), typeof(SiloNodeOptions), typeof(SiloHostingOptions), typeof(DurableOptions), typeof(IdempotencyOptions), typeof(AuthOptions), typeof(RetentionOptions),
            typeof(Telemetry.SiloTelemetryOptions) }
        .SelectMany(t => t.GetProperties(BindingFlags.Public | BindingFlags.Instance)).Where(p => p.CanWrite).Select(p => p.Name)
        .Concat(ContainerConfiguration.Names)
        .ToHashSet(StringComparer.OrdinalIgnoreCase);

    /// <summary>
    /// Adds the <c>ORCH_*</c> variables and the kebab-case arguments to <paramref name="configuration"/> as keys of the
    /// <c>Orchestrator</c> section (after its other sources, so they win), and returns the problems with names found on
    /// the way (unknown or retired settings, an argument without a value).
    /// </summary>
    public static IReadOnlyList<string> AddSources(IConfigurationBuilder configuration, IReadOnlyDictionary<string, string?> environment, string[] args)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        ArgumentNullException.ThrowIfNull(environment);
        ArgumentNullException.ThrowIfNull(args);
        var problems = new List<string>();
        var fromEnvironment = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
        var fromFiles = SettingFiles.Read(environment, variable => Names.Contains(Pascal(variable[5..], '_')), problems);
        foreach (var (key, value) in environment.Concat(fromFiles))
        {
            // ORCH_HOOK_* belong to the status hooks (StatusHookConfiguration); other unknown ORCH_* are not ours to refuse.
            if (key.StartsWith("ORCH_", StringComparison.Ordinal) && Names.Contains(Pascal(key[5..], '_')))
            {
                fromEnvironment[$"{Section}:{Pascal(key[5..], '_')}"] = value;
            }
        }
        var fromArguments = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
        for (var i = 0; i < args.Length; i++)
        {
            if (!args[i].StartsWith("--", StringComparison.Ordinal))
            {
                continue;
            }
            var name = args[i][2..];
            var value = (string?)null;
            if (name.IndexOf('=', StringComparison.Ordinal) is var eq and >= 0)
            {
                value = name[(eq + 1)..];
                name = name[..eq];
            }
            var setting = Pascal(name, '-');
            if (HostArguments.Contains(setting))
            {
                i += value is null ? 1 : 0;
                continue;
            }
            if (value is null)
            {
                if (i + 1 >= args.Length)
                {
                    problems.Add($"--{name}: a value is required.");
                    break;
                }
                value = args[++i];
            }
            if (Retired.TryGetValue(setting, out var instead))
            {
                problems.Add($"--{name}: {instead}");
            }
            else if (!Names.Contains(setting))
            {
                problems.Add($"--{name}: unknown setting; known settings are {Known()}.");
            }
            else
            {
                fromArguments[$"{Section}:{setting}"] = value;
            }
        }
        configuration.Add(new MemoryConfigurationSource { InitialData = fromEnvironment });
        configuration.Add(new MemoryConfigurationSource { InitialData = fromArguments });
        return problems;
    }

    /// <summary>
    /// Binds and checks every setting of the <c>Orchestrator</c> section. <paramref name="problems"/> gets one message
    /// per bad setting, naming it.
    /// </summary>
    public static SiloSettings Read(IConfiguration configuration, List<string> problems)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        ArgumentNullException.ThrowIfNull(problems);
        var section = configuration.GetSection(Section);
        foreach (var child in section.GetChildren())
        {
            if (Retired.TryGetValue(child.Key, out var instead))
            {
                problems.Add($"{Section}:{child.Key}: {instead}");
            }
            else if (!Names.Contains(child.Key))
            {
                problems.Add($"{Section}:{child.Key}: unknown setting; known settings are {Known()}.");
            }
        }
        var settings = new SiloSettings(Bind<OrchestratorDatabaseOptions>(section, problems), Bind<SiloNodeOptions>(section, problems),
            Bind<SiloHostingOptions>(section, problems), Bind<DurableOptions>(section, problems), Bind<IdempotencyOptions>(section, problems),
            Bind<AuthOptions>(section, problems))
        {
            Retention = RetentionConfiguration.Bind(section, problems),
            JobRun = ContainerConfiguration.BindJobRun(section, problems),
            ClusterHealth = ContainerConfiguration.BindClusterHealth(section, problems),
        };
        problems.AddRange(settings.Database.Validate());
        problems.AddRange(settings.Node.Validate());
        problems.AddRange(settings.Hosting.Validate());
        problems.AddRange(settings.Idempotency.Validate());
        problems.AddRange(settings.Auth.Validate());
        if (new DurableOptionsValidator().Validate(null, settings.Durable) is { Failed: true } durable)
        {
            problems.AddRange(durable.Failures);
        }
        if (settings.Node.Role == SiloNodeOptions.ApiRole && settings.Database.Store != OrchestratorDatabaseOptions.Postgres)
        {
            problems.Add("Role: 'api' joins a cluster through its PostgreSQL membership table; set --store postgres and the cluster's --connection-string.");
        }
        if (settings.Database.Store == OrchestratorDatabaseOptions.Postgres && settings.Hosting.AgentToken.Length == 0)
        {
            // Nothing is generated for a cluster: a token made by one silo would be refused by the others.
            problems.Add("AgentToken: required with the postgres store, where every silo must accept the same token: set --agent-token or ORCH_AGENT_TOKEN, the same on every silo.");
        }
        return settings;
    }

    /// <summary>Binds <typeparamref name="T"/> from the section; a value that does not convert is named (the binder's message says which key).</summary>
    private static T Bind<T>(IConfigurationSection section, List<string> problems)
        where T : new()
    {
        var options = new T();
        try
        {
            section.Bind(options);
        }
        catch (InvalidOperationException ex)
        {
            problems.Add(ex.Message + " Durations are hh:mm:ss (e.g. 00:00:15), flags true or false.");
        }
        return options;
    }

    private static string Known() => string.Join(", ", Names.Order(StringComparer.Ordinal));

    /// <summary><c>CONNECTION_STRING</c> / <c>connection-string</c> as <c>ConnectionString</c>.</summary>
    private static string Pascal(string name, char separator)
    {
        var text = new StringBuilder(name.Length);
        foreach (var part in name.Split(separator, StringSplitOptions.RemoveEmptyEntries))
        {
            text.Append(char.ToUpperInvariant(part[0])).Append(part[1..].ToLowerInvariant());
        }
        return text.ToString();
    }
}
