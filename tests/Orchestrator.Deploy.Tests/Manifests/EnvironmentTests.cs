using Orchestrator.Agent.Hosting;
using Orchestrator.Deploy.Tests.Infrastructure;
using Orchestrator.Silo;
using Orleans.Hosting.Kubernetes;

namespace Orchestrator.Deploy.Tests.Manifests;

/// <summary>
/// Every <c>ORCH_*</c> variable of a pod is one the program reads, and the program reads the pod's whole environment
/// without a problem. The silo ignores <c>ORCH_*</c> names it does not know (other tools share the prefix), so a
/// misspelt variable would otherwise just have no effect.
/// </summary>
public sealed class EnvironmentTests
{
    /// <summary>The status hooks' variables (<see cref="StatusHookConfiguration"/>), read apart from the settings.</summary>
    private static readonly HashSet<string> HookVariables =
    [
        "ORCH_HOOK_DEFAULT_SECRET", "ORCH_HOOK_ATTEMPT_TIMEOUT", "ORCH_HOOK_INITIAL_BACKOFF", "ORCH_HOOK_MAX_BACKOFF", "ORCH_HOOK_MAX_RETRY_DURATION",
        "ORCH_HOOK_BLOCK_PRIVATE_NETWORKS",
    ];

    /// <summary>Whether the silo reads <paramref name="variable"/>: a setting, a setting's <c>_FILE</c>, or a hook variable.</summary>
    internal static bool SiloReads(string variable)
    {
        var name = variable.EndsWith(SettingFiles.Suffix, StringComparison.Ordinal) ? variable[..^SettingFiles.Suffix.Length] : variable;
        var pascal = string.Concat(name["ORCH_".Length..].Split('_', StringSplitOptions.RemoveEmptyEntries).Select(p => char.ToUpperInvariant(p[0]) + p[1..].ToLowerInvariant()));
        return HookVariables.Contains(variable) || SiloConfiguration.Names.Contains(pascal);
    }

    [Fact]
    public void SiloReads_KnownAndUnknownNames_AreTold()
    {
        Assert.True(SiloReads("ORCH_SHUTDOWN_DRAIN_TIMEOUT"));
        Assert.True(SiloReads("ORCH_CONNECTION_STRING_FILE"));
        Assert.False(SiloReads("ORCH_SHUTDOWN_DRAIN_TIMOUT"));
        Assert.False(SiloReads("ORCH_CONNECTION_FILE"));
    }

    [Theory]
    [MemberData(nameof(Rendering.Names), MemberType = typeof(Rendering))]
    public void Environment_SiloAndApi_EveryOrchVariableIsASetting(string name)
    {
        var rendering = Rendering.Of(name);
        foreach (var (workload, container) in rendering.Running(Pods.SiloImage))
        {
            var unknown = rendering.Environment(container).Keys.Where(k => k.StartsWith("ORCH_", StringComparison.Ordinal) && !SiloReads(k)).ToList();
            Assert.True(unknown.Count == 0, $"{name}: {workload.Name}/{container.Name} sets {string.Join(", ", unknown)}, which the silo does not read (SiloConfiguration.Names, ORCH_<SETTING>_FILE, ORCH_HOOK_*)");
        }
    }

    [Theory]
    [MemberData(nameof(Rendering.Names), MemberType = typeof(Rendering))]
    public void Environment_SiloAndApi_ReadWithoutProblems(string name)
    {
        var rendering = Rendering.Of(name);
        foreach (var (workload, container) in rendering.Running(Pods.SiloImage))
        {
            var (settings, problems) = Pods.ReadSiloSettings(rendering, workload, container);

            Assert.True(problems.Count == 0, $"{name}: {workload.Name}/{container.Name}: {string.Join(" | ", problems)}");
            Assert.Equal(workload.Kind == "StatefulSet" ? SiloNodeOptions.SiloRole : SiloNodeOptions.ApiRole, settings.Node.Role);
            Assert.Equal("postgres", settings.Database.Store);
            Assert.True(settings.Hosting.AgentToken.Length > 0, "the agent token comes from its file");
            Assert.False(settings.Hosting.LocalAgent, "a cluster's agents are the DaemonSet's");
        }
    }

    [Theory]
    [MemberData(nameof(Rendering.Names), MemberType = typeof(Rendering))]
    public void Environment_Silo_KubernetesHostingGetsThePodAndItsLabels(string name)
    {
        var rendering = Rendering.Of(name);
        var (workload, container) = rendering.Running(Pods.SiloImage).Single(p => p.Workload.Kind == "StatefulSet");
        var environment = rendering.Environment(container);
        var (settings, _) = Pods.ReadSiloSettings(rendering, workload, container);

        Assert.True(settings.Node.UseKubernetes(new Dictionary<string, string?>()), $"{name}: Kubernetes hosting is off");
        Assert.Equal("<fieldRef:metadata.name>", environment.GetValueOrDefault(KubernetesHostingOptions.PodNameEnvironmentVariable));
        Assert.Equal("<fieldRef:metadata.namespace>", environment.GetValueOrDefault(KubernetesHostingOptions.PodNamespaceEnvironmentVariable));
        Assert.Equal("<fieldRef:status.podIP>", environment.GetValueOrDefault("ORCH_ADVERTISED_ADDRESS"));
        // Hosting finds the cluster's pods by these labels and takes the ids from its environment, which wins over
        // ORCH_*: all three must agree, or the silos of one deployment would not see each other's pods.
        Assert.Equal(settings.Node.ServiceId, workload.PodLabels.TryGetValue(KubernetesHostingOptions.ServiceIdLabel, out var serviceId) ? serviceId : null);
        Assert.Equal(settings.Node.ClusterId, workload.PodLabels.TryGetValue(KubernetesHostingOptions.ClusterIdLabel, out var clusterId) ? clusterId : null);
        Assert.Equal($"<fieldRef:metadata.labels['{KubernetesHostingOptions.ServiceIdLabel}']>", environment.GetValueOrDefault(KubernetesHostingOptions.ServiceIdEnvironmentVariable));
        Assert.Equal($"<fieldRef:metadata.labels['{KubernetesHostingOptions.ClusterIdLabel}']>", environment.GetValueOrDefault(KubernetesHostingOptions.ClusterIdEnvironmentVariable));
    }

    [Theory]
    [MemberData(nameof(Rendering.Names), MemberType = typeof(Rendering))]
    public void Environment_Agent_EveryVariableIsAnOptionAndParses(string name)
    {
        var rendering = Rendering.Of(name);
        var (workload, container) = rendering.Running(Pods.AgentImage).Single();
        var directory = Directory.CreateTempSubdirectory("orch-deploy-tests-").FullName;
        try
        {
            var environment = Pods.StandInEnvironment(rendering, workload, container, directory);
            var unknown = environment.Keys.Where(k => k.StartsWith("ORCH_", StringComparison.Ordinal) && !AgentCommandLine.EnvironmentNames.Contains(k)).ToList();
            Assert.True(unknown.Count == 0, $"{name}: the agent does not read {string.Join(", ", unknown)}");

            var parsed = AgentCommandLine.Parse([.. container.Args ?? []], environment);

            Assert.True(parsed.Errors.Count == 0, string.Join(" | ", parsed.Errors));
            Assert.Equal("node-1", parsed.Options.Host);
            Assert.Equal("node-1", parsed.Options.KubernetesNode);
            Assert.NotEmpty(parsed.Options.NodeLabelPrefixes);
            Assert.StartsWith("stand-in-", parsed.Options.Token, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    [Theory]
    [MemberData(nameof(Rendering.Names), MemberType = typeof(Rendering))]
    public void Secrets_ComeAsFilesFromSecretVolumes_NeverAsValues(string name)
    {
        var rendering = Rendering.Of(name);
        var readme = File.ReadAllText(Repo.Path("k8s", "README.md"));
        foreach (var workload in rendering.Workloads)
        {
            foreach (var container in workload.Pod.Containers)
            {
                foreach (var (key, value) in rendering.Environment(container))
                {
                    var where = $"{name}: {workload.Name}/{container.Name} {key}";
                    if (key.EndsWith("_FILE", StringComparison.Ordinal))
                    {
                        var mount = container.VolumeMounts?.SingleOrDefault(m => Path.GetDirectoryName(value) == m.MountPath.TrimEnd('/'));
                        var volume = workload.Pod.Volumes?.SingleOrDefault(v => v.Name == mount?.Name);
                        Assert.True(volume?.Secret is not null, $"{where}: {value} is not in a mounted Secret volume");
                        Assert.True(mount!.ReadOnlyProperty == true, $"{where}: the Secret volume is mounted writable");
                        // The operator creates the Secret by hand (k8s/README.md): each key a pod reads must be in its recipe.
                        Assert.Contains($"{volume.Secret.SecretName}", readme, StringComparison.Ordinal);
                        Assert.Contains($"{Path.GetFileName(value)}=", readme, StringComparison.Ordinal);
                    }
                    else if (key.Contains("TOKEN", StringComparison.Ordinal) || key.Contains("SECRET", StringComparison.Ordinal)
                             || key.Contains("PASSWORD", StringComparison.Ordinal) || key.Contains("CONNECTION_STRING", StringComparison.Ordinal))
                    {
                        Assert.Fail($"{where}: a secret as an environment value; mount it from a Secret and set {key}_FILE");
                    }
                }
            }
        }
    }
}
