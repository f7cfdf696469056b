using System.Reflection;
using k8s.Models;
using Orchestrator.Deploy.Tests.Infrastructure;
using Orleans.Hosting.Kubernetes;

namespace Orchestrator.Deploy.Tests.Manifests;

/// <summary>The pods' service accounts may do what their code asks of the Kubernetes API, and the API pods nothing.</summary>
public sealed class RbacTests
{
    /// <summary>
    /// The verbs on pods that Orleans' Kubernetes hosting needs, from the package itself: the role it prints when the API
    /// refuses it (<c>KubernetesClusterAgent.ExampleRoleBinding</c>), so that an upgrade that needs more fails here.
    /// </summary>
    private static IReadOnlyList<string> HostingVerbs()
    {
        var example = (string?)typeof(KubernetesClusterAgent).GetField("ExampleRoleBinding", BindingFlags.NonPublic | BindingFlags.Static)?.GetRawConstantValue();
        Assert.True(example is not null, "Orleans.Hosting.Kubernetes no longer carries its example role; read its documentation and update this test");
        var role = Kustomize.Parse(example, "KubernetesClusterAgent.ExampleRoleBinding").Single(r => r.Kind == "Role").As<V1Role>();
        return [.. role.Rules.Single(r => r.Resources.Contains("pods")).Verbs];
    }

    private static bool Allows(IEnumerable<V1PolicyRule> rules, string resource, string verb) =>
        rules.Any(r => r.ApiGroups.Contains("") && r.Resources.Contains(resource) && (r.Verbs.Contains(verb) || r.Verbs.Contains("*")));

    [Fact]
    public void HostingVerbs_AreReadFromThePackage()
    {
        Assert.Superset(new HashSet<string> { "get", "list", "watch" }, HostingVerbs().ToHashSet());
    }

    [Theory]
    [MemberData(nameof(Rendering.Names), MemberType = typeof(Rendering))]
    public void Silos_ServiceAccountMayDoWhatKubernetesHostingDoes(string name)
    {
        var rendering = Rendering.Of(name);
        var silo = rendering.Workloads.Single(w => w.Name == "orchestrator-silo");
        var account = silo.Pod.ServiceAccountName;
        Assert.False(string.IsNullOrEmpty(account), "the silos run as the namespace's default service account");
        Assert.NotEqual(false, silo.Pod.AutomountServiceAccountToken); // hosting reads the token from the mounted account

        var rules = rendering.All<V1RoleBinding>()
            .Where(b => b.Metadata.NamespaceProperty == silo.Resource.Namespace
                        && b.Subjects.Any(s => s.Kind == "ServiceAccount" && s.Name == account && (s.NamespaceProperty ?? b.Metadata.NamespaceProperty) == silo.Resource.Namespace))
            .SelectMany(b => rendering.All<V1Role>().Where(r => r.Metadata.Name == b.RoleRef.Name && b.RoleRef.Kind == "Role" && r.Metadata.NamespaceProperty == b.Metadata.NamespaceProperty))
            .SelectMany(r => r.Rules).ToList();

        foreach (var verb in HostingVerbs())
        {
            Assert.True(Allows(rules, "pods", verb), $"{name}: service account {account} may not {verb} pods in its namespace (Orleans' Kubernetes hosting does)");
        }
        Assert.DoesNotContain(rendering.All<V1ClusterRoleBinding>(), b => b.Subjects.Any(s => s.Name == account)); // nothing cluster-wide
    }

    [Theory]
    [MemberData(nameof(Rendering.Names), MemberType = typeof(Rendering))]
    public void Agents_ServiceAccountMayGetNodes(string name)
    {
        var rendering = Rendering.Of(name);
        var agent = rendering.Workloads.Single(w => w.Name == "orchestrator-agent");
        var account = agent.Pod.ServiceAccountName;

        var rules = rendering.All<V1ClusterRoleBinding>()
            .Where(b => b.Subjects.Any(s => s.Kind == "ServiceAccount" && s.Name == account && s.NamespaceProperty == agent.Resource.Namespace))
            .SelectMany(b => rendering.All<V1ClusterRole>().Where(r => r.Metadata.Name == b.RoleRef.Name && b.RoleRef.Kind == "ClusterRole"))
            .SelectMany(r => r.Rules).ToList();

        Assert.True(Allows(rules, "nodes", "get"), $"{name}: service account {account} (namespace {agent.Resource.Namespace}) may not get nodes; the agent reads its node's labels");
        Assert.False(rules.Any(r => r.Verbs.Any(v => v is not ("get" or "list" or "watch"))), $"{name}: the agents may change cluster objects");
    }

    [Theory]
    [MemberData(nameof(Rendering.Names), MemberType = typeof(Rendering))]
    public void Api_HasNoKubernetesCredentials(string name)
    {
        var api = Rendering.Of(name).Workloads.Single(w => w.Name == "orchestrator-api");

        Assert.False(api.Pod.AutomountServiceAccountToken, "an Orleans client needs no Kubernetes API access");
    }
}
