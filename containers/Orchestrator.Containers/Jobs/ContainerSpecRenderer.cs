using System.Text.Json;
using System.Text.Json.Nodes;
using Orchestrator.Plans.Model;
using Orchestrator.Plans.Templates;

namespace Orchestrator.Containers.Jobs;

/// <summary>
/// Renders the templates of a container step for one target (cluster and attempt), before <see cref="JobBuilder"/>:
/// the image, command, args, env values and every string of a pod template; the plan validator allows templates
/// in those fields only.
/// </summary>
public static class ContainerSpecRenderer
{
    /// <param name="spec">The step's container as the plan has it.</param>
    /// <param name="resolve">The value of one <c>${{ expression }}</c>; null for an unknown one (throws <see cref="FormatException"/>).</param>
    public static ContainerSpec Render(ContainerSpec spec, Func<string, string?> resolve)
    {
        ArgumentNullException.ThrowIfNull(spec);
        ArgumentNullException.ThrowIfNull(resolve);
        string Text(string text) => TemplateRenderer.HasPlaceholders(text) ? TemplateRenderer.Render(text, resolve) : text;

        return spec with
        {
            Image = spec.Image is { } image ? Text(image) : null,
            Command = [.. spec.Command.Select(Text)],
            Args = [.. spec.Args.Select(Text)],
            Env = spec.Env.ToDictionary(kv => kv.Key, kv => Text(kv.Value), StringComparer.Ordinal),
            Template = spec.Template is { } template ? JsonSerializer.SerializeToElement(Render(JsonNode.Parse(template.GetRawText()), Text)) : null,
        };
    }

    private static JsonNode? Render(JsonNode? node, Func<string, string> text)
    {
        switch (node)
        {
            case JsonObject obj:
                foreach (var (key, value) in obj.ToList())
                {
                    obj[key] = Render(value?.DeepClone(), text);
                }

                return obj;
            case JsonArray array:
                for (var i = 0; i < array.Count; i++)
                {
                    array[i] = Render(array[i]?.DeepClone(), text);
                }

                return array;
            case JsonValue value when value.GetValueKind() == JsonValueKind.String:
                return JsonValue.Create(text(value.GetValue<string>()));
            default:
                return node;
        }
    }
}
