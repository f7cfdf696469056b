using Orchestrator.Deploy.Tests.Infrastructure;

namespace Orchestrator.Deploy.Tests.Manifests;

/// <summary>Every YAML file under <c>k8s/</c> is a set of Kubernetes objects the client library's models read strictly.</summary>
public sealed class ManifestFileTests
{
    /// <summary>Ours: <c>k8s/monitoring/</c> holds dashboards and alert rules of the observability work, checked there.</summary>
    public static TheoryData<string> Files =>
    [
        .. Directory.EnumerateFiles(Repo.Path("k8s"), "*.yaml", SearchOption.AllDirectories)
            .Where(f => Path.GetFileName(f) != "kustomization.yaml" && !f.StartsWith(Repo.Path("k8s", "monitoring"), StringComparison.Ordinal))
            .Select(f => Path.GetRelativePath(Repo.Root, f)).Order(StringComparer.Ordinal),
    ];

    [Theory]
    [MemberData(nameof(Files))]
    public void Load_EveryManifest_ReadsStrictlyIntoModelTypes(string file)
    {
        var resources = Kustomize.Load(Repo.Path(file));

        Assert.NotEmpty(resources);
        Assert.All(resources, r => Assert.False(string.IsNullOrEmpty(r.Name), $"{file}: a {r.Kind} without a name"));
    }

    [Fact]
    public void Load_UnknownField_IsRefused()
    {
        // What makes the check above worth having: a misspelt field is an error, not silently dropped.
        const string Yaml = "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers:\n    - name: c\n      image: i\n      readinesProbe: {}\n";

        var error = Assert.Throws<InvalidDataException>(() => Kustomize.Parse(Yaml, "pod.yaml"));

        Assert.Contains("readinesProbe", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(Rendering.Names), MemberType = typeof(Rendering))]
    public void Render_EveryKustomization_HasEachPartOnce(string name)
    {
        var rendering = Rendering.Of(name);

        Assert.Equal(rendering.Resources.Count, rendering.Resources.Select(r => r.Key).Distinct().Count());
        Assert.Equal(["DaemonSet/orchestrator/orchestrator-agent", "Deployment/orchestrator/orchestrator-api", "StatefulSet/orchestrator/orchestrator-silo"],
            rendering.Workloads.Select(w => w.Resource.Key).Order(StringComparer.Ordinal));
        Assert.DoesNotContain(rendering.Resources, r => r.Kind == "Secret"); // secrets are created by the operator, never kept here
    }

    [Fact]
    public void Render_Overlays_SizeSmallAndLargeClusters()
    {
        int? Silos(string name) => Rendering.Of(name).Workloads.Single(w => w.Name == "orchestrator-silo").Replicas;

        Assert.InRange(Silos("small")!.Value, 1, 2);
        Assert.Equal(5, Silos("large"));
    }
}
