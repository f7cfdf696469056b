using System.Text.Json.Nodes;
using Orchestrator.Deploy.Tests.Infrastructure;

namespace Orchestrator.Deploy.Tests.Manifests;

/// <summary>
/// The manifests through kubectl where it can run here: <c>kubectl kustomize</c> renders what our own renderer does
/// (the other tests check ours, which runs everywhere), and <c>kubectl apply --dry-run=client</c> accepts the result.
/// </summary>
public sealed class KubectlTests
{
    /// <summary>What kubectl (1.20 to 1.32) says when no API server answers.</summary>
    private static readonly string[] NoCluster =
        ["refused", "couldn't get current server API group list", "unable to recognize", "Unable to connect to the server", "no configuration has been provided"];

    [SkippableTheory]
    [MemberData(nameof(Rendering.Names), MemberType = typeof(Rendering))]
    public void Kustomize_KubectlRendersWhatTheTestsCheck(string name)
    {
        Skip.IfNot(Kubectl.Available, "kubectl is not installed (.ci/run installs Debian's kubernetes-client)");
        Skip.IfNot(Kubectl.KustomizeUsable,
            $"kubectl's kustomize {Kubectl.KustomizeVersion?.ToString() ?? "(none)"} predates the labels/replicas/patches fields of k8s/ (kustomize 4+, kubectl 1.21+); the tests checked the manifests with their own renderer");

        var (code, output, error) = Kubectl.Run("kustomize", Rendering.Directories[name]);
        Assert.True(code == 0, $"kubectl kustomize {name}: {error}");
        var theirs = Kustomize.Parse(output, $"kubectl kustomize {name}").ToDictionary(r => r.Key);
        var ours = Rendering.Of(name).Resources.ToDictionary(r => r.Key);

        Assert.Equal(theirs.Keys.Order(StringComparer.Ordinal), ours.Keys.Order(StringComparer.Ordinal));
        foreach (var (key, resource) in ours)
        {
            // Both through the same model type and serializer, so only content can differ.
            var expected = Kustomize.ToJson(theirs[key].Model);
            var actual = Kustomize.ToJson(resource.Model);
            Assert.True(JsonNode.DeepEquals(expected, actual), $"{name}: {key} differs.\nkubectl: {expected.ToJsonString()}\nours:    {actual.ToJsonString()}");
        }
    }

    [SkippableTheory]
    [MemberData(nameof(Rendering.Names), MemberType = typeof(Rendering))]
    public void Apply_DryRunClient_AcceptsTheRenderedManifests(string name)
    {
        Skip.IfNot(Kubectl.Available, "kubectl is not installed (.ci/run installs Debian's kubernetes-client)");
        var file = Path.Combine(Path.GetTempPath(), $"orch-deploy-tests-{name}-{Guid.NewGuid():N}.yaml");
        File.WriteAllText(file, string.Join("---\n", Rendering.Of(name).Resources.Select(r => k8s.KubernetesYaml.Serialize(r.Model))));
        try
        {
            var (code, output, error) = Kubectl.Run("apply", "--dry-run=client", "--validate=false", "-f", file);
            // kubectl maps each kind to its API resource through the server's discovery API even on a client dry run,
            // so without a cluster it cannot get that far (set ORCH_TEST_KUBECONFIG to a cluster's kubeconfig to run it).
            Skip.If(code != 0 && NoCluster.Any(m => error.Contains(m, StringComparison.OrdinalIgnoreCase)),
                "kubectl apply --dry-run=client needs a cluster's discovery API to map kinds to resources, and none is reachable here: " + error.Split('\n')[0]);

            Assert.True(code == 0, $"kubectl apply --dry-run=client {name}: {error}");
            Assert.Contains("(dry run)", output, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(file);
        }
    }
}
