using System.Globalization;
using System.Reflection;
using Orchestrator.Containers.Clusters;
using Orchestrator.Containers.Execution;

namespace Orchestrator.Silo;

/// <summary>
/// Binds the options of container steps from the <c>Orchestrator</c> section like the other settings, under names that
/// say what they are about: <see cref="JobRunOptions"/> as <c>Container</c> + the option (<c>ContainerImagePullGrace</c>,
/// <c>ORCH_CONTAINER_IMAGE_PULL_GRACE</c>, <c>--container-image-pull-grace</c>, ...) and <see cref="ClusterHealthOptions"/>
/// as <c>Cluster</c> + the option (<c>ClusterProbeInterval</c>, <c>ORCH_CLUSTER_PROBE_INTERVAL</c>, ...). A value that
/// does not convert, or one the options refuse, is a problem naming the setting.
/// </summary>
public static class ContainerConfiguration
{
    private const string JobRunPrefix = "Container";
    private const string ClusterHealthPrefix = "Cluster";

    /// <summary>The setting names these options take.</summary>
    public static IEnumerable<string> Names =>
        Settable<JobRunOptions>().Select(p => JobRunPrefix + p.Name).Concat(Settable<ClusterHealthOptions>().Select(p => ClusterHealthPrefix + p.Name));

    public static JobRunOptions BindJobRun(IConfigurationSection section, List<string> problems)
    {
        var options = Bind(new JobRunOptions(), JobRunPrefix, section, problems);
        problems.AddRange(options.Validate(JobRunPrefix));
        return options;
    }

    public static ClusterHealthOptions BindClusterHealth(IConfigurationSection section, List<string> problems)
    {
        var options = Bind(new ClusterHealthOptions(), ClusterHealthPrefix, section, problems);
        problems.AddRange(options.Validate(ClusterHealthPrefix));
        return options;
    }

    private static T Bind<T>(T options, string prefix, IConfigurationSection section, List<string> problems)
    {
        ArgumentNullException.ThrowIfNull(section);
        ArgumentNullException.ThrowIfNull(problems);
        foreach (var property in Settable<T>())
        {
            var setting = prefix + property.Name;
            if (section[setting] is not { } text)
            {
                continue;
            }
            var value = Convert(text.Trim(), property.PropertyType);
            if (value is null)
            {
                problems.Add(property.PropertyType == typeof(TimeSpan)
                    ? $"{setting}: '{text}' is not a duration such as 00:00:30 (hh:mm:ss)."
                    : $"{setting}: '{text}' is not a whole number.");
                continue;
            }
            property.SetValue(options, value);
        }
        return options;
    }

    private static object? Convert(string text, Type type) =>
        type == typeof(TimeSpan) ? TimeSpan.TryParse(text, CultureInfo.InvariantCulture, out var duration) ? duration : null
        : type == typeof(int) ? int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var number) ? number : null
        : type == typeof(long) ? long.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var big) ? big : null
        : throw new NotSupportedException($"{type.Name} options are not bound here.");

    private static IEnumerable<PropertyInfo> Settable<T>() =>
        typeof(T).GetProperties(BindingFlags.Public | BindingFlags.Instance).Where(p => p is { CanRead: true, CanWrite: true });
}
