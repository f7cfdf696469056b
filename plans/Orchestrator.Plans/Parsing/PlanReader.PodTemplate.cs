using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Orchestrator.Plans.Validation;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Orchestrator.Plans.Parsing;

/// <summary>
/// <c>container.template</c>: a Job manifest's <c>spec.template</c> (a pod template) taken as a JSON tree. Its shape is
/// checked here, where every node has a line and column: known keys at the top of the template, of its metadata, of
/// the pod spec and of each container; one or more containers, each with a name and an image. What the fields deeper
/// down hold is the cluster's to check (the Job builder reads the tree with Kubernetes' own model types).
/// </summary>
internal sealed partial class PlanReader
{
    private static readonly string[] PodTemplateFields = ["metadata", "spec"];

    /// <summary>A pod template's metadata: the rest (name, namespace, owner) is set by the Job controller.</summary>
    private static readonly string[] PodTemplateMetadataFields = ["labels", "annotations"];

    /// <summary>The template as a JSON object, or null (after errors) when its shape is wrong.</summary>
    private JsonElement? ReadPodTemplate(YamlNode node, string path)
    {
        var errorsBefore = reader.Errors.Count;
        var f = reader.Mapping(node, path, "a pod template (a Job's spec.template)", PodTemplateFields);
        if (f is null)
        {
            return null;
        }

        if (f.TryGet("metadata", out var metadata))
        {
            reader.Mapping(metadata, f.PathOf("metadata"), "pod template metadata", PodTemplateMetadataFields);
        }

        if (!f.TryGet("spec", out var spec))
        {
            reader.Error(f.PathOf("spec"), node, "A pod template needs 'spec', with 'containers'.");
        }
        else
        {
            CheckPodSpec(spec, f.PathOf("spec"));
        }

        if (reader.Errors.Count > errorsBefore)
        {
            return null;
        }

        var json = ToJson(node, path);
        if (reader.Errors.Count > errorsBefore)
        {
            return null;
        }

        return JsonDocument.Parse(json?.ToJsonString() ?? "{}").RootElement.Clone();
    }

    private void CheckPodSpec(YamlNode node, string path)
    {
        var f = reader.Mapping(node, path, "a pod spec", PodTemplateShape.PodSpecFields);
        if (f is null)
        {
            return;
        }

        if (f.TryGet("restartPolicy", out var restart) && f.String("restartPolicy") is { } policy && policy is not ("Never" or "OnFailure"))
        {
            reader.Error(f.PathOf("restartPolicy"), restart, $"A Job's pods restart Never or OnFailure, not '{PlanLimits.Excerpt(policy)}'.");
        }

        if (!f.TryGet("containers", out var containers))
        {
            reader.Error(f.PathOf("containers"), node, "A pod spec needs 'containers': one or more, each with a name and an image.");
            return;
        }

        var names = new HashSet<string>(StringComparer.Ordinal);
        reader.List(containers, f.PathOf("containers"), (item, itemPath) => CheckPodContainer(item, itemPath, names) ? item : null);
        if (containers is YamlSequenceNode { Children.Count: 0 })
        {
            reader.Error(f.PathOf("containers"), containers, "A pod spec needs at least one container.");
        }
    }

    private bool CheckPodContainer(YamlNode node, string path, HashSet<string> names)
    {
        var errorsBefore = reader.Errors.Count;
        var f = reader.Mapping(node, path, "a container", PodTemplateShape.ContainerFields);
        if (f is null)
        {
            return false;
        }

        if (!f.TryGet("name", out var nameNode))
        {
            reader.Error(f.PathOf("name"), node, "A container needs a 'name'.");
        }
        else if (f.String("name") is { } name)
        {
            if (!ContainerNames.IsDnsLabel(name))
            {
                reader.Error(f.PathOf("name"), nameNode, $"'{PlanLimits.Excerpt(name)}' is not a container name: {ContainerNames.DnsLabelRule}.");
            }
            else if (!names.Add(name))
            {
                reader.Error(f.PathOf("name"), nameNode, $"Container name '{name}' is used twice in the pod.");
            }
        }

        if (!f.TryGet("image", out var imageNode))
        {
            reader.Error(f.PathOf("image"), node, "A container of a Job needs an 'image'.");
        }
        else if (f.String("image") is { } image && string.IsNullOrWhiteSpace(image))
        {
            reader.Error(f.PathOf("image"), imageNode, "A container's image cannot be empty.");
        }

        return reader.Errors.Count == errorsBefore;
    }

    /// <summary>
    /// The YAML tree as JSON, each node's position remembered for the validator. Plain scalars are typed as YAML 1.2's
    /// core schema reads them (null, true/false, numbers); quoted ones stay strings, as Kubernetes reads them.
    /// </summary>
    private JsonNode? ToJson(YamlNode node, string path)
    {
        reader.Remember(path, node);
        switch (node)
        {
            case YamlMappingNode mapping:
                var obj = new JsonObject();
                foreach (var (key, value) in mapping.Children)
                {
                    if (key is not YamlScalarNode { Value: { } name } || NodeReader.IsNull(key))
                    {
                        reader.Error(path, key, $"Expected a field name, found {NodeReader.Describe(key)}.");
                        continue;
                    }

                    obj[name] = ToJson(value, PlanPath.Field(path, name));
                }

                return obj;
            case YamlSequenceNode sequence:
                var array = new JsonArray();
                for (var i = 0; i < sequence.Children.Count; i++)
                {
                    array.Add(ToJson(sequence.Children[i], PlanPath.Item(path, i)));
                }

                return array;
            case YamlScalarNode scalar when NodeReader.IsNull(scalar):
                return null;
            case YamlScalarNode { Style: ScalarStyle.Plain or ScalarStyle.Any } scalar:
                var text = scalar.Value ?? "";
                if (text is "true" or "false")
                {
                    return JsonValue.Create(text == "true");
                }

                if (long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var whole))
                {
                    return JsonValue.Create(whole);
                }

                if (FloatLiteral().IsMatch(text) && double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var number) && double.IsFinite(number))
                {
                    return JsonValue.Create(number);
                }

                return JsonValue.Create(text);
            case YamlScalarNode scalar:
                return JsonValue.Create(scalar.Value ?? "");
            default:
                return null;
        }
    }

    [GeneratedRegex(@"^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$", RegexOptions.CultureInvariant)]
    private static partial Regex FloatLiteral();
}
