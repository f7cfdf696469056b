using System.Globalization;
using k8s.Models;
using Microsoft.Extensions.Configuration;
using Orchestrator.Deploy.Tests.Infrastructure;
using Orchestrator.Silo;

namespace Orchestrator.Deploy.Tests.Manifests;

/// <summary>What the checks need to know about our images and how a pod's settings are read.</summary>
internal static class Pods
{
    public const string SiloImage = "orchestrator/silo";
    public const string AgentImage = "orchestrator/agent";

    /// <summary>Stand-ins for what the kubelet fills in from the downward API.</summary>
    public static string Resolve(string value, Workload workload) => value switch
    {
        "<fieldRef:status.podIP>" => "10.1.2.3",
        "<fieldRef:metadata.name>" => workload.Name + "-0",
        "<fieldRef:metadata.namespace>" => "orchestrator",
        "<fieldRef:spec.nodeName>" => "node-1",
        _ when value.StartsWith("<fieldRef:metadata.labels['", StringComparison.Ordinal) =>
            workload.PodLabels.TryGetValue(value["<fieldRef:metadata.labels['".Length..^"']>".Length], out var label) ? label : throw new InvalidOperationException($"{value}: the pod has no such label"),
        _ => value,
    };

    /// <summary>
    /// The container's environment with downward-API values filled in and every <c>*_FILE</c> path replaced by a file
    /// holding a stand-in (the real ones are in the Secret volume, which does not exist here).
    /// </summary>
    public static Dictionary<string, string?> StandInEnvironment(Rendering rendering, Workload workload, V1Container container, string directory)
    {
        var environment = new Dictionary<string, string?>(StringComparer.Ordinal);
        foreach (var (key, value) in rendering.Environment(container))
        {
            var resolved = Resolve(value, workload);
            if (key.EndsWith("_FILE", StringComparison.Ordinal))
            {
                var file = Path.Combine(directory, key);
                File.WriteAllText(file, key == "ORCH_CONNECTION_STRING_FILE" ? "Host=db;Username=orchestrator;Password=stand-in;Database=orchestrator\n" : "stand-in-" + key.ToLowerInvariant() + "\n");
                resolved = file;
            }
            environment[key] = resolved;
        }
        return environment;
    }

    /// <summary>The silo's settings as the silo process would read them from this container (its arguments and environment).</summary>
    public static (SiloSettings Settings, List<string> Problems) ReadSiloSettings(Rendering rendering, Workload workload, V1Container container)
    {
        var directory = Directory.CreateTempSubdirectory("orch-deploy-tests-").FullName;
        try
        {
            var environment = StandInEnvironment(rendering, workload, container, directory);
            var builder = new ConfigurationBuilder();
            var problems = new List<string>(SiloConfiguration.AddSources(builder, environment, [.. container.Args ?? []]));
            var settings = SiloConfiguration.Read(builder.Build(), problems);
            return (settings, problems);
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    /// <summary>The port of the container's <c>--urls</c> argument (where Kestrel listens).</summary>
    public static int UrlsPort(V1Container container)
    {
        var args = container.Args ?? [];
        var index = args.IndexOf("--urls");
        Assert.True(index >= 0 && index + 1 < args.Count, $"{container.Name}: no --urls argument; the image's appsettings.json listens on 127.0.0.1 only");
        return new Uri(args[index + 1].Replace("+", "host", StringComparison.Ordinal).Replace("*", "host", StringComparison.Ordinal)).Port;
    }

    /// <summary>A container port by name or number (a probe's or a Service's target).</summary>
    public static int? PortNumber(V1Container container, IntOrString port) =>
        int.TryParse(port.Value, NumberStyles.Integer, CultureInfo.InvariantCulture, out var number)
            ? container.Ports?.Any(p => p.ContainerPort == number) == true ? number : null
            : container.Ports?.FirstOrDefault(p => p.Name == port.Value)?.ContainerPort;

    /// <summary>How long the preStop hook holds the stop before SIGTERM (zero without one).</summary>
    public static TimeSpan PreStop(V1Container container) => container.Lifecycle?.PreStop switch
    {
        null => TimeSpan.Zero,
        { Sleep: { } sleep } => TimeSpan.FromSeconds(sleep.Seconds),
        { Exec.Command: ["sleep", var seconds] } => TimeSpan.FromSeconds(int.Parse(seconds, CultureInfo.InvariantCulture)),
        var other => throw new InvalidOperationException($"{container.Name}: a preStop hook these checks cannot time: {k8s.KubernetesJson.Serialize(other)}"),
    };
}
