using k8s.Models;
using Orchestrator.Deploy.Tests.Infrastructure;
using Orchestrator.Silo.Shutdown;

namespace Orchestrator.Deploy.Tests.Manifests;

/// <summary>Selectors, images, the stop, disruption budgets and the pods' security settings.</summary>
public sealed class WorkloadTests
{
    [Theory]
    [MemberData(nameof(Rendering.Names), MemberType = typeof(Rendering))]
    public void Selectors_EachWorkloadSelectsItsOwnPodsOnly(string name)
    {
        var rendering = Rendering.Of(name);
        foreach (var workload in rendering.Workloads)
        {
            Assert.True(Rendering.Selects(workload.Selector.MatchLabels, workload.PodLabels), $"{name}: {workload.Name}'s selector does not select its own pods");
            foreach (var other in rendering.Workloads.Where(o => o.Name != workload.Name))
            {
                Assert.False(Rendering.Selects(workload.Selector.MatchLabels, other.PodLabels), $"{name}: {workload.Name}'s selector also selects {other.Name}'s pods");
            }
        }
    }

    [Theory]
    [MemberData(nameof(Rendering.Names), MemberType = typeof(Rendering))]
    public void Images_SiloAndApiShareOneImage_AllOfOneRelease(string name)
    {
        var rendering = Rendering.Of(name);
        var images = rendering.Workloads.SelectMany(w => w.Pod.Containers.Select(c => (w.Name, c.Image))).ToList();

        Assert.Equal([("orchestrator-agent", Pods.AgentImage), ("orchestrator-api", Pods.SiloImage), ("orchestrator-silo", Pods.SiloImage)],
            images.Select(i => (i.Name, i.Image.Split(':')[0])).Order());
        var tags = images.Select(i => i.Image.Contains(':', StringComparison.Ordinal) ? i.Image.Split(':')[1] : "").Distinct().ToList();
        var tag = Assert.Single(tags);
        Assert.False(tag is "" or "latest", $"{name}: images without a pinned tag ({string.Join(", ", images.Select(i => i.Image))})");
    }

    [Theory]
    [MemberData(nameof(Rendering.Names), MemberType = typeof(Rendering))]
    public void Stop_GracePeriodCoversPreStopDrainAndBackstop(string name)
    {
        var rendering = Rendering.Of(name);
        foreach (var (workload, container) in rendering.Running(Pods.SiloImage))
        {
            var (settings, _) = Pods.ReadSiloSettings(rendering, workload, container);
            var budget = new ShutdownBudget(settings.Node.ShutdownDrainTimeout, TimeProvider.System);
            // The grace period starts with the preStop hook; SIGTERM comes after it, then the drain (D) and the host's
            // own backstop (D + 5 s), and a margin for the process to exit and the kubelet to notice.
            var needed = Pods.PreStop(container) + budget.HostTimeout + TimeSpan.FromSeconds(5);
            var grace = TimeSpan.FromSeconds(workload.Pod.TerminationGracePeriodSeconds ?? 30);

            Assert.True(grace >= needed,
                $"{name}: {workload.Name}: terminationGracePeriodSeconds {grace.TotalSeconds} < preStop {Pods.PreStop(container).TotalSeconds} s + drain {settings.Node.ShutdownDrainTimeout.TotalSeconds} s + backstop {(budget.HostTimeout - budget.Drain).TotalSeconds} s + 5 s margin");
            Assert.True(Pods.PreStop(container) > TimeSpan.Zero, $"{name}: {workload.Name}: no preStop pause for the Services to drop the pod before SIGTERM");
        }
    }

    [Theory]
    [MemberData(nameof(Rendering.Names), MemberType = typeof(Rendering))]
    public void DisruptionBudgets_SelectOneWorkload_AndTheSilosHaveOneThatAllowsDrains(string name)
    {
        var rendering = Rendering.Of(name);
        var budgets = rendering.All<V1PodDisruptionBudget>().ToList();
        foreach (var budget in budgets)
        {
            Assert.Single(rendering.Workloads, w => Rendering.Selects(budget.Spec.Selector.MatchLabels, w.PodLabels));
        }
        var silos = rendering.Workloads.Single(w => w.Name == "orchestrator-silo");
        var silo = Assert.Single(budgets, b => Rendering.Selects(b.Spec.Selector.MatchLabels, silos.PodLabels));
        // One silo at a time: its grains move to the others. A budget of 0 would block node drains for good.
        Assert.Equal("1", silo.Spec.MaxUnavailable?.Value);
        Assert.Null(silo.Spec.MinAvailable);
    }

    [Theory]
    [MemberData(nameof(Rendering.Names), MemberType = typeof(Rendering))]
    public void Security_NonRoot_ReadOnlyRoot_NoEscalation_WritableTmp(string name)
    {
        var rendering = Rendering.Of(name);
        foreach (var workload in rendering.Workloads)
        {
            foreach (var container in workload.Pod.Containers)
            {
                var where = $"{name}: {workload.Name}/{container.Name}";
                Assert.True((container.SecurityContext?.RunAsNonRoot ?? workload.Pod.SecurityContext?.RunAsNonRoot) == true, $"{where}: may run as root");
                Assert.True(container.SecurityContext?.ReadOnlyRootFilesystem == true, $"{where}: writable root filesystem");
                Assert.True(container.SecurityContext?.AllowPrivilegeEscalation == false, $"{where}: privilege escalation allowed");
                Assert.Contains("ALL", container.SecurityContext?.Capabilities?.Drop ?? []);
                var tmp = container.VolumeMounts?.SingleOrDefault(m => m.MountPath == "/tmp");
                Assert.True(tmp is not null && workload.Pod.Volumes.Single(v => v.Name == tmp.Name).EmptyDir is not null, $"{where}: /tmp is not a writable volume");
            }
        }
    }

    [Theory]
    [MemberData(nameof(Rendering.Names), MemberType = typeof(Rendering))]
    public void Resources_MemoryLimitedAndRequested_NoCpuLimitOnSilos(string name)
    {
        var rendering = Rendering.Of(name);
        foreach (var workload in rendering.Workloads)
        {
            foreach (var container in workload.Pod.Containers)
            {
                var resources = container.Resources;
                Assert.True(resources?.Requests?.ContainsKey("memory") == true && resources.Limits?.ContainsKey("memory") == true, $"{name}: {workload.Name}: memory not requested and limited");
                Assert.True(resources.Requests["memory"].ToDecimal() <= resources.Limits["memory"].ToDecimal(), $"{name}: {workload.Name}: memory request above its limit");
                Assert.True(resources.Requests.ContainsKey("cpu"), $"{name}: {workload.Name}: no CPU request");
            }
        }
        var silo = rendering.Running(Pods.SiloImage).Single(p => p.Workload.Kind == "StatefulSet").Container;
        Assert.False(silo.Resources.Limits.ContainsKey("cpu"), "a CPU limit throttles every grain turn of a busy silo");
        // bench/README.md: one silo peaked at 490 MB in a 10,000-host fan-out; the limit leaves the GC room above it.
        Assert.True(silo.Resources.Limits["memory"].ToDecimal() >= 2 * 490m * 1000 * 1000, $"{name}: the silo's memory limit is below twice the 10k fan-out's peak");
    }
}
