using Orchestrator.Grains.Retention;

namespace Orchestrator.Silo;

/// <summary>
/// Binds <see cref="RetentionOptions"/> from the <c>Orchestrator</c> section like the other settings, except that a
/// retention time may also be written <c>off</c> (or <c>0</c>): keep that kind forever.
/// </summary>
public static class RetentionConfiguration
{
    private static readonly string[] Times =
    [
        nameof(RetentionOptions.InstanceRetention), nameof(RetentionOptions.LogRetention),
        nameof(RetentionOptions.AuditRetention), nameof(RetentionOptions.FileRetention),
    ];

    public static RetentionOptions Bind(IConfigurationSection section, List<string> problems)
    {
        ArgumentNullException.ThrowIfNull(section);
        ArgumentNullException.ThrowIfNull(problems);
        var values = section.AsEnumerable(makePathsRelative: true).Where(kv => kv.Value is not null)
            .ToDictionary(kv => kv.Key, kv => kv.Value, StringComparer.OrdinalIgnoreCase);
        foreach (var name in Times)
        {
            if (values.TryGetValue(name, out var value) && string.Equals(value?.Trim(), "off", StringComparison.OrdinalIgnoreCase))
            {
                values[name] = "00:00:00";
            }
        }
        var options = new RetentionOptions();
        try
        {
            new ConfigurationBuilder().AddInMemoryCollection(values).Build().Bind(options);
        }
        catch (InvalidOperationException ex)
        {
            problems.Add(ex.Message + " Retention times are d.hh:mm:ss (e.g. 30.00:00:00), or off; flags true or false.");
        }
        problems.AddRange(options.Validate());
        return options;
    }
}
