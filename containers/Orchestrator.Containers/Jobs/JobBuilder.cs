using System.Globalization;
using System.Text.Json;
using k8s;
using k8s.Models;
using Orchestrator.Plans.Model;
using Orchestrator.Plans.Validation;

namespace Orchestrator.Containers.Jobs;

/// <summary>What <see cref="JobBuilder.Build"/> makes: the Job, and the Secret its env refers to (null when none is needed).</summary>
/// <remarks>
/// Create the Secret first, then the Job; both have the Job's name. Once the Job exists, the runner should give the
/// Secret an owner reference to it (the Job's uid is known only then), so that deleting the Job deletes the Secret.
/// </remarks>
public sealed record BuiltJob(V1Job Job, V1Secret? Secret);

/// <summary>
/// Turns a container step (its templates already rendered) into a Kubernetes Job: a pure function of the spec, the
/// run's secret values and its identity, with no cluster call. Secret values are never written in the Job: an env value
/// that holds one goes into a Secret, referred to with <c>secretKeyRef</c>; one anywhere else is refused.
/// </summary>
/// <remarks>
/// The pod's <c>restartPolicy</c> is <c>Never</c> unless the step asks for <c>OnFailure</c>: with <c>Never</c> every
/// failed attempt is a pod of its own, so its exit code, reason and logs stay readable, and a podFailurePolicy is
/// allowed (Kubernetes requires <c>Never</c> for one). <c>OnFailure</c> restarts the container in place, which is
/// cheaper but loses the failed attempt's pod.
/// </remarks>
public static class JobBuilder
{
    /// <summary>The only container of a pod given by image: <see cref="PlanValidator.ContainerName"/>.</summary>
    public const string ContainerName = PlanValidator.ContainerName;

    /// <param name="spec">The step's container, rendered: no <c>${{ }}</c> left, secret values substituted in env.</param>
    /// <param name="secretValues">The run's secret parameter values (<c>PlanParameters.SecretValues</c>).</param>
    /// <param name="identity">Which run the Job is for; it names the Job.</param>
    /// <param name="defaultNamespace">The cluster's default namespace, used when the step names none.</param>
    /// <exception cref="ArgumentException">A secret value is in a field written in the Job (not env), or the template is not a pod template.</exception>
    public static BuiltJob Build(ContainerSpec spec, IReadOnlyCollection<string> secretValues, JobIdentity identity, string defaultNamespace)
    {
        ArgumentNullException.ThrowIfNull(spec);
        ArgumentNullException.ThrowIfNull(secretValues);
        ArgumentNullException.ThrowIfNull(identity);
        ArgumentException.ThrowIfNullOrEmpty(defaultNamespace);

        var secrets = secretValues.Where(s => !string.IsNullOrEmpty(s)).Distinct(StringComparer.Ordinal).ToList();
        var name = identity.JobName;
        var ns = spec.Namespace ?? defaultNamespace;
        var labels = JobLabels.For(identity);

        // Every env value holding a secret goes into the Secret, whole: "Bearer <token>" is as secret as the token.
        var secretEnv = spec.Env
            .Where(kv => secrets.Any(s => kv.Value.Contains(s, StringComparison.Ordinal)))
            .ToDictionary(kv => kv.Key, kv => kv.Value, StringComparer.Ordinal);
        var env = StandardEnv(identity).Concat(spec.Env
            .OrderBy(kv => kv.Key, StringComparer.Ordinal)
            .Select(kv => secretEnv.ContainsKey(kv.Key)
                ? new V1EnvVar { Name = kv.Key, ValueFrom = new V1EnvVarSource { SecretKeyRef = new V1SecretKeySelector { Name = name, Key = kv.Key } } }
                : new V1EnvVar { Name = kv.Key, Value = kv.Value }))
            .ToList();

        RefuseSecretsOutsideEnv(spec, secrets);

        var pod = spec.Template is { } template ? FromTemplate(template, env) : FromFields(spec, env);
        pod.Metadata ??= new V1ObjectMeta();
        pod.Metadata.Labels ??= new Dictionary<string, string>();
        foreach (var (key, value) in labels)
        {
            pod.Metadata.Labels[key] = value;
        }

        pod.Spec.RestartPolicy ??= (spec.RestartPolicy ?? ContainerRestartPolicy.Never).ToString();

        var job = new V1Job
        {
            ApiVersion = "batch/v1",
            Kind = "Job",
            Metadata = new V1ObjectMeta
            {
                Name = name,
                NamespaceProperty = ns,
                Labels = labels,
                Annotations = JobLabels.AnnotationsFor(identity),
            },
            Spec = new V1JobSpec
            {
                Template = pod,
                Completions = spec.Completions,
                Parallelism = spec.Parallelism,
                BackoffLimit = spec.BackoffLimit,
                ActiveDeadlineSeconds = spec.ActiveDeadlineSeconds,
                TtlSecondsAfterFinished = spec.TtlSecondsAfterFinished,
                CompletionMode = spec.CompletionMode?.ToString(),
                PodFailurePolicy = spec.PodFailurePolicy.Count == 0 ? null : new V1PodFailurePolicy { Rules = [.. spec.PodFailurePolicy.Select(Rule)] },
            },
        };

        var secret = secretEnv.Count == 0 ? null : new V1Secret
        {
            ApiVersion = "v1",
            Kind = "Secret",
            Metadata = new V1ObjectMeta
            {
                Name = name,
                NamespaceProperty = ns,
                Labels = JobLabels.For(identity),
                Annotations = JobLabels.AnnotationsFor(identity),
            },
            Type = "Opaque",
            Immutable = true,
            StringData = secretEnv,
        };
        return new BuiltJob(job, secret);
    }

    /// <summary>What a script gets too (<c>ORCH_TASK_ID</c>, <c>ORCH_STEP</c>, <c>ORCH_STEP_ATTEMPT</c>), and the cluster.</summary>
    private static IEnumerable<V1EnvVar> StandardEnv(JobIdentity identity) =>
    [
        new() { Name = "ORCH_TASK_ID", Value = identity.InstanceId },
        new() { Name = "ORCH_STEP", Value = identity.StepName },
        new() { Name = "ORCH_STEP_ATTEMPT", Value = identity.Attempt.ToString(CultureInfo.InvariantCulture) },
        new() { Name = "ORCH_CLUSTER", Value = identity.Cluster },
    ];

    private static V1PodTemplateSpec FromFields(ContainerSpec spec, List<V1EnvVar> env)
    {
        var container = new V1Container
        {
            Name = ContainerName,
            Image = spec.Image,
            Command = spec.Command.Count == 0 ? null : [.. spec.Command],
            Args = spec.Args.Count == 0 ? null : [.. spec.Args],
            Env = env,
            ImagePullPolicy = spec.ImagePullPolicy?.ToString(),
            Resources = spec.Resources is { } r ? new V1ResourceRequirements { Requests = Quantities(r.Requests), Limits = Quantities(r.Limits) } : null,
            VolumeMounts = spec.Volumes.Count == 0 ? null : [.. spec.Volumes.Select(v => new V1VolumeMount { Name = v.Name, MountPath = v.MountPath, ReadOnlyProperty = v.ReadOnly })],
        };

        return new V1PodTemplateSpec
        {
            Metadata = new V1ObjectMeta(),
            Spec = new V1PodSpec
            {
                Containers = [container],
                ServiceAccountName = spec.ServiceAccount,
                NodeSelector = spec.NodeSelector.Count == 0 ? null : new Dictionary<string, string>(spec.NodeSelector, StringComparer.Ordinal),
                Tolerations = spec.Tolerations.Count == 0 ? null : [.. spec.Tolerations.Select(t => new V1Toleration
                {
                    Key = t.Key,
                    OperatorProperty = t.Operator?.ToString(),
                    Value = t.Value,
                    Effect = t.Effect?.ToString(),
                    TolerationSeconds = t.TolerationSeconds,
                })],
                Volumes = spec.Volumes.Count == 0 ? null : [.. spec.Volumes.Select(v => new V1Volume
                {
                    Name = v.Name,
                    ConfigMap = v.ConfigMap is { } map ? new V1ConfigMapVolumeSource { Name = map } : null,
                    Secret = v.Secret is { } secret ? new V1SecretVolumeSource { SecretName = secret } : null,
                })],
            },
        };
    }

    /// <summary>The step's pod template, read with Kubernetes' own model; the step's env is added to every container.</summary>
    private static V1PodTemplateSpec FromTemplate(JsonElement template, List<V1EnvVar> env)
    {
        V1PodTemplateSpec? pod;
        try
        {
            pod = KubernetesJson.Deserialize<V1PodTemplateSpec>(template.GetRawText());
        }
        catch (JsonException e)
        {
            throw new ArgumentException($"The step's pod template does not read as a Kubernetes pod template: {e.Message}", nameof(template), e);
        }

        if (pod?.Spec?.Containers is not { Count: > 0 } containers)
        {
            throw new ArgumentException("The step's pod template has no containers.", nameof(template));
        }

        foreach (var container in containers)
        {
            // The step's env comes after the template's own, so that it wins where both set a name.
            container.Env = [.. container.Env ?? [], .. env.Select(e => new V1EnvVar { Name = e.Name, Value = e.Value, ValueFrom = e.ValueFrom })];
        }

        return pod;
    }

    private static Dictionary<string, ResourceQuantity>? Quantities(IReadOnlyDictionary<string, string> values) =>
        values.Count == 0 ? null : values.ToDictionary(kv => kv.Key, kv => new ResourceQuantity(kv.Value), StringComparer.Ordinal);

    private static V1PodFailurePolicyRule Rule(PodFailureRule rule) => new()
    {
        Action = rule.Action.ToString(),
        OnExitCodes = rule.OnExitCodes is { } codes
            ? new V1PodFailurePolicyOnExitCodesRequirement
            {
                ContainerName = codes.ContainerName,
                OperatorProperty = codes.Operator.ToString(),
                Values = [.. codes.Values],
            }
            : null,
        OnPodConditions = rule.OnPodConditions.Count == 0
            ? null
            : [.. rule.OnPodConditions.Select(c => new V1PodFailurePolicyOnPodConditionsPattern { Type = c.Type, Status = c.Status ?? "True" })],
    };

    /// <summary>Every string in a JSON tree, with its path (the raw text may have escaped what a string holds).</summary>
    private static IEnumerable<(string Path, string? Text)> Strings(JsonElement node, string path) => node.ValueKind switch
    {
        JsonValueKind.Object => node.EnumerateObject().SelectMany(p => Strings(p.Value, $"{path}.{p.Name}")),
        JsonValueKind.Array => node.EnumerateArray().SelectMany((item, i) => Strings(item, $"{path}[{i.ToString(CultureInfo.InvariantCulture)}]")),
        JsonValueKind.String => [(path, node.GetString())],
        _ => [],
    };

    /// <summary>
    /// The validator refuses secret parameters outside env; this holds the line for a spec that did not come through
    /// it, or for a secret that reached a field some other way (an earlier step's output). The message names the field,
    /// never the value.
    /// </summary>
    private static void RefuseSecretsOutsideEnv(ContainerSpec spec, List<string> secrets)
    {
        if (secrets.Count == 0)
        {
            return;
        }

        var fields = new List<(string Field, string? Text)>
        {
            ("image", spec.Image),
            ("serviceAccount", spec.ServiceAccount),
            ("namespace", spec.Namespace),
        };
        fields.AddRange(spec.Command.Select((c, i) => ($"command[{i.ToString(CultureInfo.InvariantCulture)}]", (string?)c)));
        fields.AddRange(spec.Args.Select((a, i) => ($"args[{i.ToString(CultureInfo.InvariantCulture)}]", (string?)a)));
        fields.AddRange(spec.NodeSelector.Select(kv => ($"nodeSelector.{kv.Key}", (string?)kv.Value)));
        fields.AddRange(spec.Tolerations.Select((t, i) => ($"tolerations[{i.ToString(CultureInfo.InvariantCulture)}].value", t.Value)));
        if (spec.Template is { } template)
        {
            fields.AddRange(Strings(template, "template"));
        }

        foreach (var (field, text) in fields)
        {
            if (text is not null && secrets.Any(s => text.Contains(s, StringComparison.Ordinal)))
            {
                throw new ArgumentException($"container.{field} holds a secret parameter's value; it would be written in the Job in clear. Secrets go in env only.", nameof(spec));
            }
        }
    }
}
