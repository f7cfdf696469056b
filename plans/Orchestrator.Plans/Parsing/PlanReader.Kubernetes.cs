using Orchestrator.Plans.Model;
using Orchestrator.Plans.Validation;
using YamlDotNet.RepresentationModel;

namespace Orchestrator.Plans.Parsing;

/// <summary>
/// Kubernetes Job field names, read onto the model's own fields so that a plan written by someone who knows Jobs means
/// what they expect (<c>docs/kubernetes-jobs.md</c>). Each has an equivalent of ours; giving both is an error naming
/// both, since which one should win is a guess. Their values are checked here, where the field's own name and
/// position are known: the validator only sees the model field they were read into.
/// </summary>
internal sealed partial class PlanReader
{
    private static readonly string[] PodFailurePolicyFields = ["rules"];
    private static readonly string[] PodFailureRuleFields = ["action", "onExitCodes", "onPodConditions"];
    private static readonly string[] OnExitCodesFields = ["containerName", "operator", "values"];

    private ExecutionSpec ReadKubernetesFields(MappingFields f, ExecutionSpec spec)
    {
        if (KubernetesInt(f, "completions", "successPolicy", f.Has("successPolicy"), 1, int.MaxValue) is { } completions)
        {
            spec = spec with { SuccessPolicy = new Quantity(completions, IsPercent: false) };
        }

        var retryLimitGiven = f.TryGet("retry", out var retry) && retry is YamlMappingNode retryMap && HasField(retryMap, "limit");
        if (KubernetesInt(f, "backoffLimit", "retry.limit", retryLimitGiven, 0, PlanLimits.MaxRetryLimit) is { } backoffLimit)
        {
            spec = spec with { Retry = (spec.Retry ?? new RetryPolicy()) with { Limit = backoffLimit } };
        }

        if (KubernetesInt(f, "activeDeadlineSeconds", "deadline", f.Has("deadline"), 1, (int)PlanLimits.MaxDeadline.TotalSeconds) is { } seconds)
        {
            spec = spec with { Deadline = TimeSpan.FromSeconds(seconds) };
        }

        if (f.TryGet("podFailurePolicy", out var policy))
        {
            if (f.Has("exitCodes"))
            {
                Conflict(f, "podFailurePolicy", "exitCodes", policy);
            }
            else
            {
                spec = spec with { ExitCodes = ReadPodFailurePolicy(policy, f.PathOf("podFailurePolicy")) };
            }
        }

        return spec;
    }

    /// <summary>A Kubernetes integer field, null when absent, in conflict with ours, or out of range (all reported).</summary>
    private int? KubernetesInt(MappingFields f, string field, string ours, bool oursGiven, int min, int max)
    {
        if (!f.TryGet(field, out var node))
        {
            return null;
        }

        if (oursGiven)
        {
            Conflict(f, field, ours, node);
            return null;
        }

        var value = f.Int(field);
        if (value is null)
        {
            return null;
        }

        if (value < min || value > max)
        {
            var range = max == int.MaxValue ? $"at least {min}" : $"{min} to {max}";
            reader.Error(f.PathOf(field), node, $"{field} must be {range}, not {value}.");
            reader.MarkIncomplete(f.Path);
            return null;
        }

        return value;
    }

    private void Conflict(MappingFields f, string kubernetes, string ours, YamlNode at) =>
        reader.Error(f.PathOf(kubernetes), at,
            $"'{kubernetes}' (the Kubernetes name) and '{ours}' set the same thing; give one of them, not both.");

    private static bool HasField(YamlMappingNode mapping, string key) =>
        mapping.Children.Any(kv => kv.Key is YamlScalarNode { Value: { } k } && k == key && !NodeReader.IsNull(kv.Value));

    private List<ExitCodeRule> ReadPodFailurePolicy(YamlNode node, string path)
    {
        var f = reader.Mapping(node, path, "a podFailurePolicy", PodFailurePolicyFields);
        if (f is null)
        {
            return [];
        }

        if (!f.Has("rules"))
        {
            reader.Error(f.PathOf("rules"), node, "A podFailurePolicy needs 'rules': a list of {action, onExitCodes}.");
            return [];
        }

        return f.List("rules", ReadPodFailureRule);
    }

    private ExitCodeRule? ReadPodFailureRule(YamlNode node, string path)
    {
        var f = reader.Mapping(node, path, "a podFailurePolicy rule", PodFailureRuleFields);
        if (f is null)
        {
            return null;
        }

        var errorsBefore = reader.Errors.Count;
        if (f.TryGet("onPodConditions", out var conditions))
        {
            reader.Error(f.PathOf("onPodConditions"), conditions,
                "onPodConditions has no equivalent here: a target is a host, not a pod. A host whose agent is lost ends as agentOffline and is retried like a failure.");
        }

        PodFailureAction? action = null;
        if (!f.Has("action"))
        {
            reader.Error(f.PathOf("action"), node, $"A podFailurePolicy rule needs 'action': one of {string.Join(", ", Enum.GetNames<PodFailureAction>())}.");
        }
        else
        {
            action = f.Enum<PodFailureAction>("action");
        }

        ExitCodeRule? rule = null;
        if (!f.TryGet("onExitCodes", out var onExitCodes))
        {
            reader.Error(f.PathOf("onExitCodes"), node, "A podFailurePolicy rule needs 'onExitCodes': {operator: In or NotIn, values: [...]}.");
        }
        else
        {
            rule = ReadOnExitCodes(onExitCodes, f.PathOf("onExitCodes"));
        }

        if (reader.Errors.Count > errorsBefore || action is null || rule is null)
        {
            return null;
        }

        return rule with
        {
            Action = action switch
            {
                PodFailureAction.FailJob => ExitCodeAction.FailStep,
                PodFailureAction.Ignore => ExitCodeAction.Ignore,
                PodFailureAction.FailIndex => ExitCodeAction.FailTarget,
                _ => ExitCodeAction.Count,
            },
        };
    }

    private ExitCodeRule? ReadOnExitCodes(YamlNode node, string path)
    {
        var f = reader.Mapping(node, path, "onExitCodes", OnExitCodesFields);
        if (f is null)
        {
            return null;
        }

        var errorsBefore = reader.Errors.Count;
        if (f.TryGet("containerName", out var container))
        {
            reader.Error(f.PathOf("containerName"), container, "containerName has no equivalent here: a target runs one script, so there is no container to name.");
        }

        ExitCodeOperator? op = null;
        if (!f.Has("operator"))
        {
            reader.Error(f.PathOf("operator"), node, "onExitCodes needs 'operator': In or NotIn.");
        }
        else
        {
            op = f.Enum<ExitCodeOperator>("operator");
        }

        var codes = new List<int>();
        if (!f.TryGet("values", out var values))
        {
            reader.Error(f.PathOf("values"), node, "onExitCodes needs 'values': a list of exit codes, 0 to 255.");
        }
        else
        {
            codes = f.List("values", (item, itemPath) => ReadExitCodeValue(item, itemPath, op)).Select(c => c!.Value).ToList();
            if (codes.Count == 0 && reader.Errors.Count == errorsBefore)
            {
                reader.Error(f.PathOf("values"), values, "onExitCodes needs at least one value.");
            }
        }

        return reader.Errors.Count > errorsBefore || op is null ? null : new ExitCodeRule { Codes = codes, Operator = op.Value };
    }

    private int? ReadExitCodeValue(YamlNode node, string path, ExitCodeOperator? op)
    {
        if (reader.Int(node, path) is not { } code)
        {
            return null;
        }

        if (code is < 0 or > 255)
        {
            reader.Error(path, node, $"Exit codes are 0 to 255, not {code}.");
            return null;
        }

        if (code == 0 && op == ExitCodeOperator.In)
        {
            // As Kubernetes refuses it: exit code 0 is success, and success never reaches the policy.
            reader.Error(path, node, "0 cannot be used with the In operator: exit code 0 is success and never reaches the policy.");
            return null;
        }

        return code;
    }
}
