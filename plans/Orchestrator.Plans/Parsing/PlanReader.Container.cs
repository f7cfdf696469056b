using Orchestrator.Plans.Model;
using YamlDotNet.RepresentationModel;

namespace Orchestrator.Plans.Parsing;

/// <summary>The <c>container</c> block: a pod given field by field or as a Job's pod template, and the Job's fields.</summary>
internal sealed partial class PlanReader
{
    private static readonly string[] ContainerFields =
    [
        "image", "command", "args", "env", "resources", "serviceAccount", "nodeSelector", "tolerations", "volumes",
        "imagePullPolicy", "restartPolicy", "namespace", "template",
        // The Job's own fields, with Kubernetes' names: they go into the Job.
        "completions", "parallelism", "backoffLimit", "activeDeadlineSeconds", "podFailurePolicy", "ttlSecondsAfterFinished", "completionMode",
    ];

    /// <summary>The pod fields that a pod template holds itself; giving them beside <c>template</c> is an error.</summary>
    internal static readonly string[] PodFields =
        ["image", "command", "args", "resources", "serviceAccount", "nodeSelector", "tolerations", "volumes", "imagePullPolicy", "restartPolicy"];

    private static readonly string[] ResourcesFields = ["requests", "limits"];
    private static readonly string[] TolerationFields = ["key", "operator", "value", "effect", "tolerationSeconds"];
    private static readonly string[] VolumeFields = ["name", "configMap", "secret", "mountPath", "readOnly"];
    private static readonly string[] ContainerPodFailureRuleFields = ["action", "onExitCodes", "onPodConditions"];
    private static readonly string[] PodConditionFields = ["type", "status"];

    /// <summary><c>container: busybox:1.36</c> is short for <c>container: {image: busybox:1.36}</c>.</summary>
    private ContainerSpec? ReadContainer(YamlNode node, string path)
    {
        if (node is YamlScalarNode)
        {
            return new ContainerSpec { Image = reader.String(node, path) };
        }

        var f = reader.Mapping(node, path, "a container", ContainerFields);
        if (f is null)
        {
            return null;
        }

        var spec = new ContainerSpec
        {
            Image = f.String("image"),
            Command = f.Strings("command"),
            Args = f.Strings("args"),
            Env = f.TryGet("env", out var env) ? reader.StringMap(env, f.PathOf("env")) : new Dictionary<string, string>(),
            Resources = f.TryGet("resources", out var resources) ? ReadResources(resources, f.PathOf("resources")) : null,
            ServiceAccount = f.String("serviceAccount"),
            NodeSelector = f.TryGet("nodeSelector", out var nodeSelector) ? reader.StringMap(nodeSelector, f.PathOf("nodeSelector")) : new Dictionary<string, string>(),
            Tolerations = f.List("tolerations", ReadToleration),
            Volumes = f.List("volumes", ReadVolume),
            ImagePullPolicy = f.Enum<ImagePullPolicy>("imagePullPolicy"),
            RestartPolicy = f.Enum<ContainerRestartPolicy>("restartPolicy"),
            Namespace = f.String("namespace"),
            Completions = f.Int("completions"),
            Parallelism = f.Int("parallelism"),
            BackoffLimit = f.Int("backoffLimit"),
            ActiveDeadlineSeconds = f.Int("activeDeadlineSeconds"),
            PodFailurePolicy = f.TryGet("podFailurePolicy", out var policy) ? ReadContainerPodFailurePolicy(policy, f.PathOf("podFailurePolicy")) : [],
            TtlSecondsAfterFinished = f.Int("ttlSecondsAfterFinished"),
            CompletionMode = f.Enum<CompletionMode>("completionMode"),
        };

        if (f.TryGet("template", out var template))
        {
            var given = PodFields.Where(f.Has).ToList();
            if (given.Count > 0)
            {
                // Which should win is a guess; the template is the pod, whole.
                reader.Error(f.PathOf("template"), template,
                    $"Give the pod as 'template' or by its fields, not both: the template already holds {string.Join(", ", given.Select(g => $"'{g}'"))} (only 'env' and the Job's fields may be given beside it).");
                reader.MarkIncomplete(f.Path);
            }

            spec = spec with { Template = ReadPodTemplate(template, f.PathOf("template")) };
            if (spec.Template is null)
            {
                reader.MarkIncomplete(f.Path);
            }
        }

        return spec;
    }

    private ContainerResources? ReadResources(YamlNode node, string path)
    {
        var f = reader.Mapping(node, path, "resources", ResourcesFields);
        if (f is null)
        {
            return null;
        }

        return new ContainerResources
        {
            Requests = f.TryGet("requests", out var requests) ? reader.StringMap(requests, f.PathOf("requests")) : new Dictionary<string, string>(),
            Limits = f.TryGet("limits", out var limits) ? reader.StringMap(limits, f.PathOf("limits")) : new Dictionary<string, string>(),
        };
    }

    private ContainerToleration? ReadToleration(YamlNode node, string path)
    {
        var f = reader.Mapping(node, path, "a toleration", TolerationFields);
        if (f is null)
        {
            return null;
        }

        return new ContainerToleration
        {
            Key = f.String("key"),
            Operator = f.Enum<TolerationOperator>("operator"),
            Value = f.String("value"),
            Effect = f.Enum<TaintEffect>("effect"),
            TolerationSeconds = f.Int("tolerationSeconds"),
        };
    }

    private ContainerVolume? ReadVolume(YamlNode node, string path)
    {
        var f = reader.Mapping(node, path, "a volume", VolumeFields);
        if (f is null)
        {
            return null;
        }

        return new ContainerVolume
        {
            Name = f.String("name") ?? "",
            ConfigMap = f.String("configMap"),
            Secret = f.String("secret"),
            MountPath = f.String("mountPath") ?? "",
            ReadOnly = f.Bool("readOnly"),
        };
    }

    /// <summary>
    /// A Job's <c>podFailurePolicy</c> as Kubernetes writes it; unlike a host step's, <c>containerName</c> and
    /// <c>onPodConditions</c> mean something here and are kept.
    /// </summary>
    private List<PodFailureRule> ReadContainerPodFailurePolicy(YamlNode node, string path)
    {
        var f = reader.Mapping(node, path, "a podFailurePolicy", PodFailurePolicyFields);
        if (f is null)
        {
            return [];
        }

        if (!f.Has("rules"))
        {
            reader.Error(f.PathOf("rules"), node, "A podFailurePolicy needs 'rules': a list of {action, onExitCodes or onPodConditions}.");
            return [];
        }

        return f.List("rules", ReadContainerPodFailureRule);
    }

    private PodFailureRule? ReadContainerPodFailureRule(YamlNode node, string path)
    {
        var f = reader.Mapping(node, path, "a podFailurePolicy rule", ContainerPodFailureRuleFields);
        if (f is null)
        {
            return null;
        }

        if (!f.Has("action"))
        {
            reader.Error(f.PathOf("action"), node, $"A podFailurePolicy rule needs 'action': one of {string.Join(", ", Enum.GetNames<PodFailureAction>())}.");
            return null;
        }

        if (f.Enum<PodFailureAction>("action") is not { } action)
        {
            return null;
        }

        return new PodFailureRule
        {
            Action = action,
            OnExitCodes = f.TryGet("onExitCodes", out var codes) ? ReadContainerExitCodes(codes, f.PathOf("onExitCodes")) : null,
            OnPodConditions = f.List("onPodConditions", ReadPodCondition),
        };
    }

    private PodFailureExitCodes? ReadContainerExitCodes(YamlNode node, string path)
    {
        var f = reader.Mapping(node, path, "onExitCodes", OnExitCodesFields);
        if (f is null)
        {
            return null;
        }

        if (!f.Has("operator"))
        {
            reader.Error(f.PathOf("operator"), node, "onExitCodes needs 'operator': In or NotIn.");
            return null;
        }

        return new PodFailureExitCodes
        {
            ContainerName = f.String("containerName"),
            Operator = f.Enum<ExitCodeOperator>("operator") ?? ExitCodeOperator.In,
            Values = f.List("values", (item, itemPath) => reader.Int(item, itemPath) is { } code ? new int?(code) : null).Select(c => c!.Value).ToList(),
        };
    }

    private PodFailureCondition? ReadPodCondition(YamlNode node, string path)
    {
        var f = reader.Mapping(node, path, "a pod condition", PodConditionFields);
        return f is null ? null : new PodFailureCondition { Type = f.String("type") ?? "", Status = f.String("status") };
    }
}
