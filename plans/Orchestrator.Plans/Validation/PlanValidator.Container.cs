using System.Text.Json;
using Orchestrator.Plans.Model;
using Orchestrator.Plans.Parsing;
using Orchestrator.Plans.Selectors;
using Orchestrator.Plans.Templates;

namespace Orchestrator.Plans.Validation;

/// <summary>
/// The rules of a container step: its cluster targets, its pod (by fields or as a template), the Job's fields, and
/// which <c>execution</c> settings apply across clusters. Secret parameters may be used only in <c>env</c>, where they
/// become a Kubernetes Secret: anywhere else they would be written in the Job in clear.
/// </summary>
public static partial class PlanValidator
{
    /// <summary>The name of the one container of a pod given by <c>image</c> (the name <c>containerName</c> can match).</summary>
    public const string ContainerName = "main";

    private static void ValidateClusterTargets(StepContext context, TargetSpec? targets, string path, List<PlanError> errors)
    {
        var hostParts = targets is not null && (targets.Hosts.Count > 0 || targets.Selector is not null || targets.Parameter is not null || targets.FromStep is not null);
        if (targets is null || (targets.Clusters.Count == 0 && targets.ClusterSelector is null && !hostParts))
        {
            errors.Add(new PlanError(path, "A container step needs cluster targets: give clusters or clusterSelector."));
        }

        if (targets is null)
        {
            return;
        }

        foreach (var (field, given) in new[] { ("hosts", targets.Hosts.Count > 0), ("selector", targets.Selector is not null), ("parameter", targets.Parameter is not null), ("fromStep", targets.FromStep is not null) })
        {
            if (given)
            {
                errors.Add(new PlanError(PlanPath.Field(path, field),
                    $"A container step runs on clusters, not hosts: '{field}' is for script, file and http steps. Use clusters or clusterSelector."));
            }
        }

        var clustersPath = PlanPath.Field(path, "clusters");
        var counted = Counted(targets.Clusters.Count, clustersPath, PlanLimits.MaxClustersPerList, "clusters", errors);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < counted; i++)
        {
            var cluster = targets.Clusters[i];
            if (!ContainerNames.IsClusterName(cluster))
            {
                errors.Add(new PlanError(PlanPath.Item(clustersPath, i), $"'{PlanLimits.Excerpt(cluster)}' is not a cluster name: {ContainerNames.ClusterRule}."));
            }
            else if (!seen.Add(cluster))
            {
                errors.Add(new PlanError(PlanPath.Item(clustersPath, i), $"Cluster '{cluster}' is listed twice."));
            }
        }

        var selectorPath = PlanPath.Field(path, "clusterSelector");
        if (targets.ClusterSelector is { } selector && Length(selector, selectorPath, PlanLimits.MaxSelectorLength, errors)
            && !LabelSelector.TryParse(selector, out _, out var selectorError))
        {
            errors.Add(new PlanError(selectorPath, selectorError));
        }

        if (targets.Dispatch is { } dispatch && !Enum.IsDefined(dispatch))
        {
            errors.Add(new PlanError(PlanPath.Field(path, "dispatch"), $"Unknown dispatch {(int)dispatch}."));
        }
    }

    /// <summary>Cluster targets on a step that runs on hosts: each part is an error naming it.</summary>
    private static void RefuseClusterParts(StepContext context, TargetSpec targets, string path, List<PlanError> errors)
    {
        var kind = EnumNames.Format(context.Step.Kind);
        foreach (var (field, given) in new[] { ("clusters", targets.Clusters.Count > 0), ("clusterSelector", targets.ClusterSelector is not null), ("dispatch", targets.Dispatch is not null) })
        {
            if (given)
            {
                errors.Add(new PlanError(PlanPath.Field(path, field),
                    $"A {kind} step runs on hosts: '{field}' is for container steps. Use hosts, selector, parameter or fromStep."));
            }
        }
    }

    /// <summary>
    /// The <c>execution</c> fields that mean something across clusters: failureBudget, retry, deadline, targetTimeout.
    /// The rest are refused: parallelism and exit codes are the Job's (<c>container.parallelism</c>,
    /// <c>container.podFailurePolicy</c>); successPolicy and rolling need many targets where a balanced step has one.
    /// </summary>
    private static void ValidateContainerExecution(StepContext context, ExecutionSpec execution, List<PlanError> errors)
    {
        var path = context.Field("execution");
        if (execution.Parallelism is not null)
        {
            errors.Add(new PlanError(PlanPath.Field(path, "parallelism"),
                "In a container step, parallelism is the Job's (pods at once): write it under 'container' (container.parallelism). Clusters of a 'dispatch: each' step run at once."));
        }

        if (execution.ExitCodes is { Count: > 0 })
        {
            errors.Add(new PlanError(PlanPath.Field(path, "exitCodes"),
                "In a container step, exit codes are the Job's to judge: write container.podFailurePolicy instead of exitCodes."));
        }

        if (execution.SuccessPolicy is not null)
        {
            errors.Add(new PlanError(PlanPath.Field(path, "successPolicy"),
                "A container step takes no successPolicy: the Job's 'completions' (container.completions) says how many pods must succeed, and every selected cluster's Job must succeed, less failureBudget."));
        }

        if (execution.Rolling is not null)
        {
            errors.Add(new PlanError(PlanPath.Field(path, "rolling"),
                "A container step takes no rolling batches: split the clusters over several steps (a canary step, then the rest)."));
        }
    }

    private static void ValidateContainer(StepContext context, ContainerSpec container, List<PlanError> errors)
    {
        var path = context.Field("container");
        if (container.Template is { } template)
        {
            var podFields = new List<string>();
            foreach (var (field, given) in PodFieldsGiven(container))
            {
                if (given)
                {
                    podFields.Add(field);
                }
            }

            if (podFields.Count > 0)
            {
                errors.Add(new PlanError(PlanPath.Field(path, "template"),
                    $"Give the pod as 'template' or by its fields, not both: the template already holds {string.Join(", ", podFields.Select(g => $"'{g}'"))}."));
            }

            ValidatePodTemplate(context, template, PlanPath.Field(path, "template"), errors);
        }
        else
        {
            ValidateImage(context, container.Image, PlanPath.Field(path, "image"), errors);
        }

        ValidateTextList(context, container.Command ?? [], PlanPath.Field(path, "command"), errors);
        ValidateTextList(context, container.Args ?? [], PlanPath.Field(path, "args"), errors);
        ValidateEnv(context, container.Env ?? new Dictionary<string, string>(), PlanPath.Field(path, "env"), errors);
        if (container.Resources is { } resources)
        {
            ValidateResources(resources, PlanPath.Field(path, "resources"), errors);
        }

        if (container.ServiceAccount is { } account && !ContainerNames.IsDnsSubdomain(account))
        {
            errors.Add(new PlanError(PlanPath.Field(path, "serviceAccount"), $"'{PlanLimits.Excerpt(account)}' is not a service account name: {ContainerNames.DnsSubdomainRule}."));
        }

        if (container.Namespace is { } ns && !ContainerNames.IsDnsLabel(ns))
        {
            errors.Add(new PlanError(PlanPath.Field(path, "namespace"), $"'{PlanLimits.Excerpt(ns)}' is not a Kubernetes namespace: {ContainerNames.DnsLabelRule}."));
        }

        ValidateNodeSelector(container.NodeSelector ?? new Dictionary<string, string>(), PlanPath.Field(path, "nodeSelector"), errors);
        ValidateTolerations(container.Tolerations ?? [], PlanPath.Field(path, "tolerations"), errors);
        ValidateVolumes(container.Volumes ?? [], PlanPath.Field(path, "volumes"), errors);
        ValidateJobFields(container, path, errors);
    }

    private static IEnumerable<(string Field, bool Given)> PodFieldsGiven(ContainerSpec c) =>
    [
        ("image", c.Image is not null), ("command", c.Command is { Count: > 0 }), ("args", c.Args is { Count: > 0 }),
        ("resources", c.Resources is not null), ("serviceAccount", c.ServiceAccount is not null),
        ("nodeSelector", c.NodeSelector is { Count: > 0 }), ("tolerations", c.Tolerations is { Count: > 0 }),
        ("volumes", c.Volumes is { Count: > 0 }), ("imagePullPolicy", c.ImagePullPolicy is not null),
        ("restartPolicy", c.RestartPolicy is not null),
    ];

    private static void ValidateImage(StepContext context, string? image, string path, List<PlanError> errors)
    {
        if (string.IsNullOrWhiteSpace(image))
        {
            errors.Add(new PlanError(path, "A container step needs an image (or a pod template as 'template')."));
            return;
        }

        if (!Length(image, path, PlanLimits.MaxImageLength, errors))
        {
            return;
        }

        if (!TemplateRenderer.HasPlaceholders(image) && image.Any(char.IsWhiteSpace))
        {
            errors.Add(new PlanError(path, $"'{PlanLimits.Excerpt(image)}' is not an image reference: it has white space."));
        }

        ValidateContainerText(context, path, image, errors);
    }

    /// <summary>A template in a field that is written in the Job: any template, but no secret parameter.</summary>
    private static void ValidateContainerText(StepContext context, string path, string text, List<PlanError> errors)
    {
        ValidateTemplate(context, path, text, errors);
        foreach (var secret in SecretParameters(context, text))
        {
            errors.Add(new PlanError(path,
                $"'params.{secret}' is a secret parameter: here it would be written in the Job in clear. Pass it in 'env', which the orchestrator puts in a Kubernetes Secret."));
        }
    }

    /// <summary>The secret parameters a text refers to (none when its templates do not parse: that is reported apart).</summary>
    private static IEnumerable<string> SecretParameters(StepContext context, string text)
    {
        IReadOnlyList<string> references;
        try
        {
            references = TemplateRenderer.References(text);
        }
        catch (FormatException)
        {
            return [];
        }

        return references
            .Select(r => TemplateExpression.TryParse(r, out var e, out _) ? e : null)
            .Where(e => e is { Kind: TemplateExpressionKind.Parameter } && context.Parameters.TryGetValue(e.Name!, out var p) && p.Type == ParameterType.Secret)
            .Select(e => e!.Name!)
            .Distinct(StringComparer.Ordinal);
    }

    private static void ValidateTextList(StepContext context, IReadOnlyList<string> items, string path, List<PlanError> errors)
    {
        var counted = Counted(items.Count, path, PlanLimits.MaxArgs, Leaf(path) + " items", errors);
        for (var i = 0; i < counted; i++)
        {
            var itemPath = PlanPath.Item(path, i);
            if (Length(items[i], itemPath, PlanLimits.MaxArgLength, errors))
            {
                ValidateContainerText(context, itemPath, items[i] ?? "", errors);
            }
        }
    }

    /// <summary>
    /// Environment variables of a script or a container: names of letters, digits and <c>_</c>, not <c>ORCH_*</c>; values
    /// are templates (a container's may use secret parameters: they become a Secret).
    /// </summary>
    private static void ValidateEnv(StepContext context, IReadOnlyDictionary<string, string> env, string path, List<PlanError> errors)
    {
        var counted = Counted(env.Count, path, PlanLimits.MaxEnvEntries, "environment variables", errors);
        foreach (var (name, value) in env.Take(counted))
        {
            if (name.Length > PlanLimits.MaxEnvNameLength)
            {
                errors.Add(new PlanError(path, $"An environment variable name is at most {PlanLimits.MaxEnvNameLength} characters; '{PlanLimits.Excerpt(name)}' is longer."));
                continue;
            }

            var envPath = PlanPath.Field(path, name);
            if (!Length(value, envPath, PlanLimits.MaxEnvValueLength, errors))
            {
                continue;
            }

            if (!EnvironmentName().IsMatch(name))
            {
                errors.Add(new PlanError(envPath, $"'{name}' is not an environment variable name: letters, digits and '_', not starting with a digit."));
            }
            else if (name.StartsWith("ORCH_", StringComparison.OrdinalIgnoreCase))
            {
                errors.Add(new PlanError(envPath, $"'{name}': names starting with ORCH_ are set by the orchestrator."));
            }

            ValidateTemplate(context, envPath, value, errors);
        }
    }

    private static void ValidateResources(ContainerResources resources, string path, List<PlanError> errors)
    {
        foreach (var (part, map) in new[] { ("requests", resources.Requests), ("limits", resources.Limits) })
        {
            var partPath = PlanPath.Field(path, part);
            foreach (var (name, quantity) in map ?? new Dictionary<string, string>())
            {
                var itemPath = PlanPath.Field(partPath, name);
                if (!ContainerNames.IsResourceName(name))
                {
                    errors.Add(new PlanError(itemPath,
                        $"'{PlanLimits.Excerpt(name)}' is not a resource name: cpu, memory, ephemeral-storage, hugepages-<size>, or a domain-prefixed name such as nvidia.com/gpu."));
                }

                if (!ContainerNames.IsQuantity(quantity))
                {
                    errors.Add(new PlanError(itemPath,
                        $"'{PlanLimits.Excerpt(quantity)}' is not a Kubernetes quantity: a number and a suffix such as 500m, 2, 1.5, 256Mi or 1Gi."));
                }
            }
        }
    }

    private static void ValidateNodeSelector(IReadOnlyDictionary<string, string> selector, string path, List<PlanError> errors)
    {
        foreach (var (key, value) in selector)
        {
            var keyPath = PlanPath.Field(path, key);
            if (!ContainerNames.IsLabelKey(key))
            {
                errors.Add(new PlanError(keyPath, $"'{PlanLimits.Excerpt(key)}' is not a node label key: an optional DNS prefix and '/', then a name of letters, digits, '-', '_' and '.' (at most 63)."));
            }

            if (!ContainerNames.IsLabelValue(value))
            {
                errors.Add(new PlanError(keyPath, $"'{PlanLimits.Excerpt(value)}' is not a label value: at most 63 letters, digits, '-', '_' and '.', starting and ending with a letter or digit."));
            }
        }
    }

    private static void ValidateTolerations(IReadOnlyList<ContainerToleration> tolerations, string path, List<PlanError> errors)
    {
        var counted = Counted(tolerations.Count, path, PlanLimits.MaxTolerations, "tolerations", errors);
        for (var i = 0; i < counted; i++)
        {
            var t = tolerations[i];
            var itemPath = PlanPath.Item(path, i);
            if (t.Key is { } key && !ContainerNames.IsLabelKey(key))
            {
                errors.Add(new PlanError(PlanPath.Field(itemPath, "key"), $"'{PlanLimits.Excerpt(key)}' is not a taint key."));
            }

            if (t.Operator == TolerationOperator.Exists && !string.IsNullOrEmpty(t.Value))
            {
                errors.Add(new PlanError(PlanPath.Field(itemPath, "value"), "With operator Exists, a toleration has no value."));
            }

            if (t.Operator != TolerationOperator.Exists && t.Key is null)
            {
                errors.Add(new PlanError(PlanPath.Field(itemPath, "key"), "A toleration without a key must use operator Exists (it then tolerates every taint)."));
            }

            if (t.TolerationSeconds is not null && t.Effect != TaintEffect.NoExecute)
            {
                errors.Add(new PlanError(PlanPath.Field(itemPath, "tolerationSeconds"), "tolerationSeconds applies only with effect NoExecute."));
            }
        }
    }

    private static void ValidateVolumes(IReadOnlyList<ContainerVolume> volumes, string path, List<PlanError> errors)
    {
        var counted = Counted(volumes.Count, path, PlanLimits.MaxVolumes, "volumes", errors);
        var names = new HashSet<string>(StringComparer.Ordinal);
        var mounts = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < counted; i++)
        {
            var v = volumes[i];
            var itemPath = PlanPath.Item(path, i);
            if (!ContainerNames.IsDnsLabel(v.Name))
            {
                errors.Add(new PlanError(PlanPath.Field(itemPath, "name"), $"'{PlanLimits.Excerpt(v.Name)}' is not a volume name: {ContainerNames.DnsLabelRule}."));
            }
            else if (!names.Add(v.Name))
            {
                errors.Add(new PlanError(PlanPath.Field(itemPath, "name"), $"Volume name '{v.Name}' is used twice."));
            }

            if ((v.ConfigMap is null) == (v.Secret is null))
            {
                errors.Add(new PlanError(itemPath, "A volume comes from one configMap or one secret: give exactly one of them."));
            }

            foreach (var (field, source) in new[] { ("configMap", v.ConfigMap), ("secret", v.Secret) })
            {
                if (source is not null && !ContainerNames.IsDnsSubdomain(source))
                {
                    errors.Add(new PlanError(PlanPath.Field(itemPath, field), $"'{PlanLimits.Excerpt(source)}' is not a {field} name: {ContainerNames.DnsSubdomainRule}."));
                }
            }

            var mountPath = PlanPath.Field(itemPath, "mountPath");
            if (string.IsNullOrEmpty(v.MountPath) || !v.MountPath.StartsWith('/'))
            {
                errors.Add(new PlanError(mountPath, $"A volume needs an absolute mountPath, not '{PlanLimits.Excerpt(v.MountPath)}'."));
            }
            else if (Length(v.MountPath, mountPath, PlanLimits.MaxPathLength, errors) && !mounts.Add(v.MountPath))
            {
                errors.Add(new PlanError(mountPath, $"Two volumes are mounted at '{PlanLimits.Excerpt(v.MountPath)}'."));
            }
        }
    }

    private static void ValidateJobFields(ContainerSpec c, string path, List<PlanError> errors)
    {
        IntRange(c.Completions, PlanPath.Field(path, "completions"), 1, PlanLimits.MaxJobCompletions, errors);
        IntRange(c.Parallelism, PlanPath.Field(path, "parallelism"), 1, PlanLimits.MaxJobCompletions, errors);
        IntRange(c.BackoffLimit, PlanPath.Field(path, "backoffLimit"), 0, PlanLimits.MaxRetryLimit, errors);
        IntRange(c.ActiveDeadlineSeconds, PlanPath.Field(path, "activeDeadlineSeconds"), 1, (int)PlanLimits.MaxDeadline.TotalSeconds, errors);
        IntRange(c.TtlSecondsAfterFinished, PlanPath.Field(path, "ttlSecondsAfterFinished"), 0, (int)PlanLimits.MaxTtlAfterFinished.TotalSeconds, errors);
        if (c.CompletionMode == CompletionMode.Indexed && c.Completions is null)
        {
            errors.Add(new PlanError(PlanPath.Field(path, "completionMode"), "An Indexed Job needs 'completions': the number of indexes."));
        }

        var rules = c.PodFailurePolicy ?? [];
        var policyPath = PlanPath.Field(path, "podFailurePolicy");
        if (rules.Count > 0 && c.RestartPolicy == ContainerRestartPolicy.OnFailure)
        {
            errors.Add(new PlanError(PlanPath.Field(path, "restartPolicy"), "A podFailurePolicy needs restartPolicy Never (Kubernetes' rule): each failure must end its pod."));
        }

        var counted = Counted(rules.Count, policyPath, PlanLimits.MaxExitCodeRules, "podFailurePolicy rules", errors);
        var containerNames = ContainerNamesOf(c);
        for (var i = 0; i < counted; i++)
        {
            ValidatePodFailureRule(rules[i], PlanPath.Item(PlanPath.Field(policyPath, "rules"), i), containerNames, errors);
        }
    }

    private static void ValidatePodFailureRule(PodFailureRule rule, string path, IReadOnlyCollection<string> containerNames, List<PlanError> errors)
    {
        if (rule.Action == PodFailureAction.FailIndex)
        {
            errors.Add(new PlanError(PlanPath.Field(path, "action"), "FailIndex needs the Job's backoffLimitPerIndex, which a container step does not take; use FailJob or Count."));
        }

        var conditions = rule.OnPodConditions ?? [];
        if ((rule.OnExitCodes is null) == (conditions.Count == 0))
        {
            errors.Add(new PlanError(path, "A podFailurePolicy rule has exactly one of onExitCodes and onPodConditions."));
        }

        if (rule.OnExitCodes is { } codes)
        {
            var codesPath = PlanPath.Field(path, "onExitCodes");
            var values = codes.Values ?? [];
            if (values.Count == 0)
            {
                errors.Add(new PlanError(PlanPath.Field(codesPath, "values"), "onExitCodes needs at least one value."));
            }

            var counted = Counted(values.Count, PlanPath.Field(codesPath, "values"), PlanLimits.MaxExitCodesPerRule, "codes", errors);
            for (var i = 0; i < counted; i++)
            {
                var valuePath = PlanPath.Item(PlanPath.Field(codesPath, "values"), i);
                if (values[i] is < 0 or > 255)
                {
                    errors.Add(new PlanError(valuePath, $"Exit codes are 0 to 255, not {values[i]}."));
                }
                else if (values[i] == 0 && codes.Operator == ExitCodeOperator.In)
                {
                    errors.Add(new PlanError(valuePath, "0 cannot be used with the In operator: exit code 0 is success and never reaches the policy."));
                }
            }

            if (codes.ContainerName is { } name && containerNames.Count > 0 && !containerNames.Contains(name))
            {
                errors.Add(new PlanError(PlanPath.Field(codesPath, "containerName"),
                    $"The pod has no container named '{PlanLimits.Excerpt(name)}'; it has {string.Join(", ", containerNames)}."));
            }
        }

        for (var i = 0; i < conditions.Count; i++)
        {
            var condition = conditions[i];
            var conditionPath = PlanPath.Item(PlanPath.Field(path, "onPodConditions"), i);
            if (string.IsNullOrWhiteSpace(condition.Type))
            {
                errors.Add(new PlanError(PlanPath.Field(conditionPath, "type"), "A pod condition needs a type, such as DisruptionTarget."));
            }

            if (condition.Status is { } status && status is not ("True" or "False" or "Unknown"))
            {
                errors.Add(new PlanError(PlanPath.Field(conditionPath, "status"), $"A pod condition's status is True, False or Unknown, not '{PlanLimits.Excerpt(status)}'."));
            }
        }
    }

    /// <summary>The names of the pod's containers: <see cref="ContainerName"/>, or those of the template.</summary>
    private static List<string> ContainerNamesOf(ContainerSpec c)
    {
        if (c.Template is not { ValueKind: JsonValueKind.Object } template)
        {
            return [ContainerName];
        }

        if (!template.TryGetProperty("spec", out var spec) || spec.ValueKind != JsonValueKind.Object
            || !spec.TryGetProperty("containers", out var containers) || containers.ValueKind != JsonValueKind.Array)
        {
            return [];
        }

        return [.. containers.EnumerateArray()
            .Where(e => e.ValueKind == JsonValueKind.Object && e.TryGetProperty("name", out var n) && n.ValueKind == JsonValueKind.String)
            .Select(e => e.GetProperty("name").GetString()!)];
    }

    private static void IntRange(int? value, string path, int min, int max, List<PlanError> errors)
    {
        if (value is { } v && (v < min || v > max))
        {
            errors.Add(new PlanError(path, $"{Leaf(path)} must be {min} to {max}, not {v}."));
        }
    }

    /// <summary>
    /// A pod template built as a model (the reader checks the shape of one read from text): an object with
    /// <c>spec.containers</c>, each with a name and an image. Every string in it may hold templates, but no secret
    /// parameter: the template is written in the Job.
    /// </summary>
    private static void ValidatePodTemplate(StepContext context, JsonElement template, string path, List<PlanError> errors)
    {
        if (template.ValueKind != JsonValueKind.Object)
        {
            errors.Add(new PlanError(path, "A pod template is a mapping of metadata and spec."));
            return;
        }

        if (template.GetRawText().Length > PlanLimits.MaxPodTemplateLength)
        {
            errors.Add(new PlanError(path, $"A pod template is at most {PlanLimits.MaxPodTemplateLength} characters of JSON."));
            return;
        }

        if (!template.TryGetProperty("spec", out var spec) || spec.ValueKind != JsonValueKind.Object
            || !spec.TryGetProperty("containers", out var containers) || containers.ValueKind != JsonValueKind.Array || containers.GetArrayLength() == 0)
        {
            errors.Add(new PlanError(PlanPath.Field(path, "spec"), "A pod template needs spec.containers: one or more, each with a name and an image."));
            return;
        }

        var i = 0;
        foreach (var container in containers.EnumerateArray())
        {
            var itemPath = PlanPath.Item(PlanPath.Field(PlanPath.Field(path, "spec"), "containers"), i++);
            foreach (var field in new[] { "name", "image" })
            {
                if (container.ValueKind != JsonValueKind.Object || !container.TryGetProperty(field, out var value)
                    || value.ValueKind != JsonValueKind.String || string.IsNullOrWhiteSpace(value.GetString()))
                {
                    errors.Add(new PlanError(PlanPath.Field(itemPath, field), $"A container of a Job needs a '{field}'."));
                }
            }
        }

        ValidateTemplateStrings(context, template, path, errors);
    }

    private static void ValidateTemplateStrings(StepContext context, JsonElement node, string path, List<PlanError> errors)
    {
        switch (node.ValueKind)
        {
            case JsonValueKind.Object:
                foreach (var property in node.EnumerateObject())
                {
                    ValidateTemplateStrings(context, property.Value, PlanPath.Field(path, property.Name), errors);
                }

                break;
            case JsonValueKind.Array:
                var i = 0;
                foreach (var item in node.EnumerateArray())
                {
                    ValidateTemplateStrings(context, item, PlanPath.Item(path, i++), errors);
                }

                break;
            case JsonValueKind.String when TemplateRenderer.HasPlaceholders(node.GetString()!):
                ValidateContainerText(context, path, node.GetString()!, errors);
                break;
        }
    }
}
