using System.Reflection;
using System.Text.Json.Nodes;
using k8s;
using YamlDotNet.Serialization;
using YamlDotNet.Serialization.NamingConventions;

namespace Orchestrator.Deploy.Tests.Infrastructure;

/// <summary>One rendered object: its model type and its JSON (as the Kubernetes client library writes it).</summary>
internal sealed record Resource(Type Type, JsonObject Json)
{
    public string Kind => (string)Json["kind"]!;

    public string Name => (string)Json["metadata"]!["name"]!;

    public string? Namespace => (string?)Json["metadata"]?["namespace"];

    public string Key => $"{Kind}/{Namespace}/{Name}";

    /// <summary>The object as its model type (<c>V1StatefulSet</c>, ...).</summary>
    public object Model => Kustomize.ToModel(Type, Json);

    public T As<T>() => (T)Model;
}

/// <summary>
/// A small kustomize of our own, for machines whose kubectl is missing or too old to render our kustomizations
/// (Debian 12's kubectl 1.20 has kustomize 2.0.3): it supports what <c>k8s/</c> uses and refuses anything else (an
/// unknown field of a kustomization fails the YAML reading), so a kustomization that grows past it fails here instead
/// of being rendered wrongly. Where kubectl's kustomize is usable, <c>KustomizeTests</c> checks that both render the same.
/// Supported: <c>resources</c> (files, and directories with a kustomization), <c>namespace</c> (also on bindings'
/// subjects that are the kustomization's service accounts), <c>labels</c> (pairs
/// on metadata only), <c>images</c> (newName, newTag), <c>replicas</c>, <c>patches</c> by path (strategic merge:
/// objects merged key by key, lists of named objects merged by name, other lists replaced). Every YAML document is
/// read strictly with the client library's model types, so an unknown field anywhere is an error.
/// </summary>
internal static class Kustomize
{
    private static readonly IDeserializer Reader = new DeserializerBuilder().WithNamingConvention(CamelCaseNamingConvention.Instance).Build();

    private static readonly HashSet<string> ClusterScoped = ["Namespace", "ClusterRole", "ClusterRoleBinding", "Node", "PersistentVolume", "StorageClass", "CustomResourceDefinition"];

    /// <summary>Renders the kustomization in <paramref name="directory"/>.</summary>
    public static List<Resource> Render(string directory)
    {
        var file = Path.Combine(directory, "kustomization.yaml");
        var kustomization = Reader.Deserialize<Kustomization>(File.ReadAllText(file)) ?? throw new InvalidDataException($"{file} is empty.");
        var resources = new List<Resource>();
        foreach (var entry in kustomization.Resources)
        {
            var path = Path.GetFullPath(Path.Combine(directory, entry));
            resources.AddRange(Directory.Exists(path) ? Render(path) : Load(path));
        }
        foreach (var patch in kustomization.Patches)
        {
            foreach (var change in Load(Path.Combine(directory, patch.Path)))
            {
                var target = resources.SingleOrDefault(r => r.Kind == change.Kind && r.Name == change.Name)
                             ?? throw new InvalidDataException($"{patch.Path}: no {change.Kind} {change.Name} to patch.");
                Merge(target.Json, change.Json);
            }
        }
        foreach (var resource in resources)
        {
            if (kustomization.Namespace is { } ns)
            {
                if (!ClusterScoped.Contains(resource.Kind))
                {
                    resource.Json["metadata"]!["namespace"] = ns;
                }
                // As kustomize does: a binding's subjects that are service accounts of this kustomization move with them.
                foreach (var subject in resource.Kind is "RoleBinding" or "ClusterRoleBinding" ? resource.Json["subjects"]?.AsArray() ?? [] : [])
                {
                    if ((string?)subject!["kind"] == "ServiceAccount" && resources.Any(r => r.Kind == "ServiceAccount" && r.Name == (string?)subject["name"]))
                    {
                        subject["namespace"] = ns;
                    }
                }
            }
            foreach (var set in kustomization.Labels)
            {
                if (set.IncludeSelectors)
                {
                    throw new NotSupportedException("labels with includeSelectors: true");
                }
                var labels = resource.Json["metadata"]!["labels"] ??= new JsonObject();
                foreach (var (key, value) in set.Pairs)
                {
                    labels[key] = value;
                }
            }
            foreach (var container in Containers(resource.Json))
            {
                var image = (string)container["image"]!;
                var name = image.Split(':')[0];
                if (kustomization.Images.FirstOrDefault(i => i.Name == name) is { } change)
                {
                    var tag = change.NewTag ?? (image.Contains(':', StringComparison.Ordinal) ? image.Split(':')[1] : null);
                    container["image"] = (change.NewName ?? name) + (tag is null ? "" : ":" + tag);
                }
            }
            if (kustomization.Replicas.FirstOrDefault(r => r.Name == resource.Name && resource.Kind is "Deployment" or "StatefulSet") is { } replicas)
            {
                resource.Json["spec"]!["replicas"] = replicas.Count;
            }
        }
        return resources;
    }

    /// <summary>Every YAML document of <paramref name="file"/>, read strictly into the client library's model types.</summary>
    public static List<Resource> Load(string file) => Parse(File.ReadAllText(file), file);

    public static List<Resource> Parse(string yaml, string source)
    {
        try
        {
            return [.. KubernetesYaml.LoadAllFromString(yaml, strict: true).Select(o => new Resource(o.GetType(), ToJson(o)))];
        }
        catch (Exception ex) when (ex is YamlDotNet.Core.YamlException or ArgumentException or InvalidOperationException)
        {
            throw new InvalidDataException($"{source}: {ex.Message}", ex);
        }
    }

    public static JsonObject ToJson(object model) => JsonNode.Parse(KubernetesJson.Serialize(model))!.AsObject();

    public static object ToModel(Type type, JsonObject json) =>
        DeserializeMethod.MakeGenericMethod(type).Invoke(null, [json.ToJsonString(), null])!;

    private static readonly MethodInfo DeserializeMethod = typeof(KubernetesJson).GetMethods(BindingFlags.Public | BindingFlags.Static)
        .Single(m => m.Name == nameof(KubernetesJson.Deserialize) && m.IsGenericMethodDefinition && m.GetParameters() is [{ ParameterType: var p }, _] && p == typeof(string));

    /// <summary>The containers of a workload's pod template.</summary>
    public static IEnumerable<JsonObject> Containers(JsonObject resource) =>
        new[] { "containers", "initContainers" }.SelectMany(list => resource["spec"]?["template"]?["spec"]?[list]?.AsArray() ?? [])
            .Select(c => c!.AsObject());

    private static void Merge(JsonObject target, JsonObject patch)
    {
        foreach (var (key, value) in patch.ToList())
        {
            if (value is JsonObject child && target[key] is JsonObject existing)
            {
                Merge(existing, child);
            }
            else if (value is JsonArray items && target[key] is JsonArray current && Named(items) && Named(current))
            {
                foreach (var item in items)
                {
                    var name = (string?)item!["name"];
                    if (current.FirstOrDefault(c => (string?)c!["name"] == name) is JsonObject same)
                    {
                        Merge(same, item.AsObject());
                    }
                    else
                    {
                        current.Add(item.DeepClone());
                    }
                }
            }
            else
            {
                target[key] = value?.DeepClone();
            }
        }
    }

    private static bool Named(JsonArray items) => items.All(i => i is JsonObject o && o["name"] is JsonValue);

    private sealed class Kustomization
    {
        public string ApiVersion { get; set; } = "";
        public string Kind { get; set; } = "";
        public string? Namespace { get; set; }
        public List<string> Resources { get; set; } = [];
        public List<LabelSet> Labels { get; set; } = [];
        public List<ImageChange> Images { get; set; } = [];
        public List<ReplicaCount> Replicas { get; set; } = [];
        public List<PatchFile> Patches { get; set; } = [];
    }

    private sealed class LabelSet
    {
        public Dictionary<string, string> Pairs { get; set; } = [];
        public bool IncludeSelectors { get; set; }
    }

    private sealed class ImageChange
    {
        public string Name { get; set; } = "";
        public string? NewName { get; set; }
        public string? NewTag { get; set; }
    }

    private sealed class ReplicaCount
    {
        public string Name { get; set; } = "";
        public int Count { get; set; }
    }

    private sealed class PatchFile
    {
        public string Path { get; set; } = "";
    }
}
