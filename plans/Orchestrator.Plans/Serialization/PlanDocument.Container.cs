using System.Text.Json;
using Orchestrator.Plans.Model;

namespace Orchestrator.Plans.Serialization;

/// <summary>A container step's block; Kubernetes' enum values keep Kubernetes' spelling (<c>IfNotPresent</c>).</summary>
internal static partial class PlanDocument
{
    private static MapNode Container(ContainerSpec container)
    {
        var map = new MapNode();
        map.Text("image", container.Image);
        map.List("command", container.Command.Select(ScalarNode.String));
        map.List("args", container.Args.Select(ScalarNode.String));
        map.Add("env", container.Env);
        if (container.Resources is { } resources)
        {
            var resourcesMap = new MapNode();
            resourcesMap.Add("requests", resources.Requests);
            resourcesMap.Add("limits", resources.Limits);
            map.Add("resources", resourcesMap);
        }

        map.Text("serviceAccount", container.ServiceAccount);
        map.Add("nodeSelector", container.NodeSelector);
        map.List("tolerations", container.Tolerations.Select(Toleration));
        map.List("volumes", container.Volumes.Select(Volume));
        map.Text("imagePullPolicy", container.ImagePullPolicy?.ToString());
        map.Text("restartPolicy", container.RestartPolicy?.ToString());
        map.Text("namespace", container.Namespace);
        if (container.Template is { } template)
        {
            map.Add("template", Json(template));
        }

        map.Int("completions", container.Completions);
        map.Int("parallelism", container.Parallelism);
        map.Int("backoffLimit", container.BackoffLimit);
        map.Int("activeDeadlineSeconds", container.ActiveDeadlineSeconds);
        if (container.PodFailurePolicy.Count > 0)
        {
            var policy = new MapNode();
            policy.Add("rules", new ListNode(container.PodFailurePolicy.Select(PodFailureRule)));
            map.Add("podFailurePolicy", policy);
        }

        map.Int("ttlSecondsAfterFinished", container.TtlSecondsAfterFinished);
        map.Text("completionMode", container.CompletionMode?.ToString());
        return map;
    }

    private static MapNode Toleration(ContainerToleration toleration)
    {
        var map = new MapNode();
        map.Text("key", toleration.Key);
        map.Text("operator", toleration.Operator?.ToString());
        map.Text("value", toleration.Value);
        map.Text("effect", toleration.Effect?.ToString());
        if (toleration.TolerationSeconds is { } seconds)
        {
            map.Add("tolerationSeconds", new ScalarNode(seconds.ToString(System.Globalization.CultureInfo.InvariantCulture), ScalarType.Number));
        }

        return map;
    }

    private static MapNode Volume(ContainerVolume volume)
    {
        var map = new MapNode();
        map.Text("name", volume.Name);
        map.Text("configMap", volume.ConfigMap);
        map.Text("secret", volume.Secret);
        map.Text("mountPath", volume.MountPath);
        if (volume.ReadOnly is { } readOnly)
        {
            map.Add("readOnly", ScalarNode.Bool(readOnly));
        }

        return map;
    }

    private static MapNode PodFailureRule(PodFailureRule rule)
    {
        var map = new MapNode();
        map.Text("action", rule.Action.ToString());
        if (rule.OnExitCodes is { } codes)
        {
            var codesMap = new MapNode();
            codesMap.Text("containerName", codes.ContainerName);
            codesMap.Text("operator", codes.Operator.ToString());
            codesMap.Add("values", new ListNode(codes.Values.Select(ScalarNode.Int)));
            map.Add("onExitCodes", codesMap);
        }

        map.List("onPodConditions", rule.OnPodConditions.Select(condition =>
        {
            var item = new MapNode();
            item.Text("type", condition.Type);
            item.Text("status", condition.Status);
            return item;
        }));
        return map;
    }

    /// <summary>A pod template, as it was read: JSON's types become the document's.</summary>
    private static DocumentNode Json(JsonElement element)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.Object:
                var map = new MapNode();
                foreach (var property in element.EnumerateObject())
                {
                    map.Add(property.Name, Json(property.Value));
                }

                return map;
            case JsonValueKind.Array:
                return new ListNode(element.EnumerateArray().Select(Json));
            case JsonValueKind.String:
                return ScalarNode.String(element.GetString()!);
            case JsonValueKind.Number:
                return new ScalarNode(element.GetRawText(), ScalarType.Number);
            case JsonValueKind.True or JsonValueKind.False:
                return ScalarNode.Bool(element.GetBoolean());
            default:
                return ScalarNode.Null;
        }
    }
}
