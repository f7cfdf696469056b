using Orchestrator.Deploy.Tests.Infrastructure;
using Orchestrator.Silo;

namespace Orchestrator.Deploy.Tests.Manifests;

/// <summary>Probes, container ports and Services agree with what the silo listens on.</summary>
public sealed class ProbeAndPortTests
{
    /// <summary>Every probe path of every rendering; <see cref="SiloProbeTests"/> requests each from a real silo.</summary>
    public static IReadOnlySet<string> ProbePaths() =>
        Rendering.Directories.Keys.SelectMany(n => Rendering.Of(n).Running(Pods.SiloImage))
            .SelectMany(p => new[] { p.Container.ReadinessProbe, p.Container.LivenessProbe, p.Container.StartupProbe })
            .Where(p => p?.HttpGet is not null).Select(p => p!.HttpGet.Path).ToHashSet(StringComparer.Ordinal);

    [Theory]
    [MemberData(nameof(Rendering.Names), MemberType = typeof(Rendering))]
    public void Probes_SiloAndApi_ReadinessOnReadyzLivenessOnHealthzOnTheHttpPort(string name)
    {
        var rendering = Rendering.Of(name);
        foreach (var (workload, container) in rendering.Running(Pods.SiloImage))
        {
            var where = $"{name}: {workload.Name}/{container.Name}";
            Assert.True(container.ReadinessProbe?.HttpGet is not null, $"{where}: no HTTP readiness probe");
            Assert.True(container.LivenessProbe?.HttpGet is not null, $"{where}: no HTTP liveness probe");
            Assert.Equal("/readyz", container.ReadinessProbe!.HttpGet.Path);
            Assert.Equal("/healthz", container.LivenessProbe!.HttpGet.Path);
            var http = Pods.UrlsPort(container);
            foreach (var probe in new[] { container.ReadinessProbe, container.LivenessProbe, container.StartupProbe }.Where(p => p is not null))
            {
                Assert.True(Pods.PortNumber(container, probe!.HttpGet.Port) == http,
                    $"{where}: probe {probe.HttpGet.Path} on port {probe.HttpGet.Port.Value}, but the silo listens on {http} (--urls)");
            }
            // Liveness must not be the readiness check: a draining silo answers /readyz 503 and must not be restarted for it.
            Assert.NotEqual(container.ReadinessProbe.HttpGet.Path, container.LivenessProbe.HttpGet.Path);
        }
    }

    [Theory]
    [MemberData(nameof(Rendering.Names), MemberType = typeof(Rendering))]
    public void Ports_Silo_MatchItsConfiguration(string name)
    {
        var rendering = Rendering.Of(name);
        var (workload, container) = rendering.Running(Pods.SiloImage).Single(p => p.Workload.Kind == "StatefulSet");
        var (settings, problems) = Pods.ReadSiloSettings(rendering, workload, container);
        Assert.Empty(problems);

        int? Port(string portName) => container.Ports?.SingleOrDefault(p => p.Name == portName)?.ContainerPort;
        Assert.Equal(settings.Node.SiloPort, Port("silo"));
        Assert.Equal(settings.Node.GatewayPort, Port("gateway"));
        Assert.Equal(Pods.UrlsPort(container), Port("http"));
        // The defaults are what the README documents; a manifest that drops ORCH_SILO_PORT still agrees with its ports.
        Assert.Equal(new SiloNodeOptions().SiloPort, settings.Node.SiloPort);
    }

    [Theory]
    [MemberData(nameof(Rendering.Names), MemberType = typeof(Rendering))]
    public void Services_TargetPortsOfTheWorkloadTheySelect(string name)
    {
        var rendering = Rendering.Of(name);
        foreach (var service in rendering.All<k8s.Models.V1Service>())
        {
            var selected = rendering.Workloads.Where(w => Rendering.Selects(service.Spec.Selector, w.PodLabels)).ToList();
            var workload = Assert.Single(selected);
            foreach (var port in service.Spec.Ports)
            {
                var target = port.TargetPort ?? (k8s.Models.IntOrString)port.Port;
                Assert.True(workload.Pod.Containers.Any(c => Pods.PortNumber(c, target) is not null),
                    $"{name}: Service {service.Metadata.Name} port {port.Name} targets {target.Value}, which no container of {workload.Name} has");
            }
        }
    }

    [Theory]
    [MemberData(nameof(Rendering.Names), MemberType = typeof(Rendering))]
    public void Agents_ServerIsTheApiService(string name)
    {
        var rendering = Rendering.Of(name);
        var (_, container) = rendering.Running(Pods.AgentImage).Single();
        var server = new Uri(rendering.Environment(container)["ORCH_AGENT_SERVER"]);

        var service = rendering.All<k8s.Models.V1Service>().SingleOrDefault(s => s.Metadata.Name == server.Host.Split('.')[0]);
        Assert.True(service is not null, $"{name}: ORCH_AGENT_SERVER {server} names no Service of the deployment");
        Assert.Contains(service.Spec.Ports, p => p.Port == server.Port);
        var api = rendering.Workloads.Single(w => Rendering.Selects(service.Spec.Selector, w.PodLabels));
        Assert.Equal("orchestrator-api", api.Name);
    }
}
