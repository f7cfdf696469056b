using k8s.Models;

namespace Orchestrator.Deploy.Tests.Infrastructure;

/// <summary>A workload of a rendering with its pod template, as model types.</summary>
internal sealed record Workload(Resource Resource, V1PodTemplateSpec Template, V1LabelSelector Selector, int? Replicas)
{
    public string Name => Resource.Name;

    public string Kind => Resource.Kind;

    public IDictionary<string, string> PodLabels => Template.Metadata?.Labels ?? new Dictionary<string, string>();

    public V1PodSpec Pod => Template.Spec;

    /// <summary>The image's name without its tag.</summary>
    public static string ImageName(V1Container container) => container.Image.Split(':')[0];
}

/// <summary>One rendered kustomization of <c>k8s/</c>, with queries the checks share.</summary>
internal sealed class Rendering(string name, IReadOnlyList<Resource> resources)
{
    /// <summary>The base and the overlays, rendered by <see cref="Kustomize"/>.</summary>
    public static IReadOnlyDictionary<string, string> Directories { get; } = new Dictionary<string, string>
    {
        ["base"] = Repo.Path("k8s", "base"),
        ["small"] = Repo.Path("k8s", "overlays", "small"),
        ["large"] = Repo.Path("k8s", "overlays", "large"),
    };

    public static TheoryData<string> Names => [.. Directories.Keys];

    private static readonly Dictionary<string, Rendering> Cache = [];

    public static Rendering Of(string name)
    {
        lock (Cache)
        {
            if (!Cache.TryGetValue(name, out var rendering))
            {
                Cache[name] = rendering = new Rendering(name, Kustomize.Render(Directories[name]));
            }
            return rendering;
        }
    }

    public string Name => name;

    public IReadOnlyList<Resource> Resources => resources;

    public IEnumerable<T> All<T>() => resources.Where(r => r.Type == typeof(T)).Select(r => r.As<T>());

    public IReadOnlyList<Workload> Workloads =>
    [
        .. All<V1StatefulSet>().Select(s => new Workload(Find("StatefulSet", s.Metadata.Name), s.Spec.Template, s.Spec.Selector, s.Spec.Replicas)),
        .. All<V1Deployment>().Select(d => new Workload(Find("Deployment", d.Metadata.Name), d.Spec.Template, d.Spec.Selector, d.Spec.Replicas)),
        .. All<V1DaemonSet>().Select(d => new Workload(Find("DaemonSet", d.Metadata.Name), d.Spec.Template, d.Spec.Selector, null)),
    ];

    /// <summary>The workloads whose containers run <paramref name="image"/> (without tag), with that container.</summary>
    public IEnumerable<(Workload Workload, V1Container Container)> Running(string image) =>
        Workloads.SelectMany(w => w.Pod.Containers.Where(c => Workload.ImageName(c) == image).Select(c => (w, c)));

    public Resource Find(string kind, string objectName) =>
        resources.SingleOrDefault(r => r.Kind == kind && r.Name == objectName) ?? throw new InvalidOperationException($"{name}: no {kind} {objectName}.");

    /// <summary>
    /// A container's environment as the kubelet gives it: <c>envFrom</c> ConfigMaps first, then <c>env</c> (which wins).
    /// Values from the downward API or a Secret are shown as <c>&lt;fieldRef:path&gt;</c> / <c>&lt;secret:name/key&gt;</c>.
    /// </summary>
    public Dictionary<string, string> Environment(V1Container container)
    {
        var environment = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var source in container.EnvFrom ?? [])
        {
            if (source.ConfigMapRef is { } reference)
            {
                foreach (var (key, value) in ConfigMap(reference.Name).Data ?? new Dictionary<string, string>())
                {
                    environment[key] = value;
                }
            }
            else
            {
                throw new InvalidOperationException($"{name}: envFrom other than a ConfigMap in {container.Name} (secrets come as files).");
            }
        }
        foreach (var variable in container.Env ?? [])
        {
            environment[variable.Name] = variable.Value
                ?? (variable.ValueFrom?.FieldRef is { } field ? $"<fieldRef:{field.FieldPath}>"
                    : variable.ValueFrom?.SecretKeyRef is { } secret ? $"<secret:{secret.Name}/{secret.Key}>"
                    : variable.ValueFrom?.ConfigMapKeyRef is { } key ? ConfigMap(key.Name).Data[key.Key]
                    : variable.ValueFrom?.ResourceFieldRef is { } resource ? $"<resource:{resource.Resource}>"
                    : "");
        }
        return environment;
    }

    public V1ConfigMap ConfigMap(string configMap) => Find("ConfigMap", configMap).As<V1ConfigMap>();

    /// <summary>Whether <paramref name="selector"/> (matchLabels only, which is all we use) selects pods with <paramref name="labels"/>.</summary>
    public static bool Selects(IDictionary<string, string>? selector, IDictionary<string, string> labels) =>
        selector is { Count: > 0 } && selector.All(s => labels.TryGetValue(s.Key, out var value) && value == s.Value);

    public override string ToString() => name;
}
