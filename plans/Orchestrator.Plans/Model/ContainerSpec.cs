using System.Text.Json;

namespace Orchestrator.Plans.Model;

/// <summary>
/// A container step: one Kubernetes Job on a cluster (or one per cluster with <see cref="ClusterDispatch.Each"/>).
/// The pod is given either by <see cref="Image"/> (with command, args, env, resources, ...) or by
/// <see cref="Template"/>, a Job manifest's <c>spec.template</c> taken as it is; never both. The Job fields
/// (<see cref="Completions"/> ... <see cref="CompletionMode"/>) go into the Job itself, where Kubernetes enforces them;
/// the step's <see cref="ExecutionSpec"/> applies across cluster targets. See <c>docs/containers.md</c>.
/// </summary>
/// <remarks>
/// Enum fields keep Kubernetes' spelling (<c>IfNotPresent</c>, <c>Indexed</c>) when written back, since they are
/// Kubernetes' fields.
/// </remarks>
public sealed record ContainerSpec
{
    /// <summary>The image reference (<c>registry/app:1.2</c>, or by digest). Templates allowed.</summary>
    public string? Image { get; init; }

    /// <summary>The container's entrypoint (Kubernetes' <c>command</c>); the image's when empty. Templates allowed.</summary>
    public IReadOnlyList<string> Command { get; init; } = [];

    /// <summary>Arguments to the entrypoint; the image's <c>CMD</c> when empty. Templates allowed.</summary>
    public IReadOnlyList<string> Args { get; init; } = [];

    /// <summary>
    /// Environment variables; values allow templates. A value that uses a <see cref="ParameterType.Secret"/> parameter is
    /// put in a Kubernetes Secret and referred to with <c>secretKeyRef</c>, never written in the Job. With a
    /// <see cref="Template"/>, these are added to every container of it.
    /// </summary>
    public IReadOnlyDictionary<string, string> Env { get; init; } = new Dictionary<string, string>();

    /// <summary>Resource requests and limits, as Kubernetes quantities (<c>500m</c>, <c>1Gi</c>).</summary>
    public ContainerResources? Resources { get; init; }

    /// <summary>The pod's service account (<c>serviceAccountName</c>); the namespace's <c>default</c> when null.</summary>
    public string? ServiceAccount { get; init; }

    /// <summary>The pod's <c>nodeSelector</c>: node labels a node must have.</summary>
    public IReadOnlyDictionary<string, string> NodeSelector { get; init; } = new Dictionary<string, string>();

    public IReadOnlyList<ContainerToleration> Tolerations { get; init; } = [];

    /// <summary>Config maps and secrets of the cluster mounted into the container.</summary>
    public IReadOnlyList<ContainerVolume> Volumes { get; init; } = [];

    /// <summary>Kubernetes' default when null: <c>Always</c> for <c>:latest</c> or no tag, else <c>IfNotPresent</c>.</summary>
    public ImagePullPolicy? ImagePullPolicy { get; init; }

    /// <summary>The pod's <c>restartPolicy</c>; <c>Never</c> when null (see <c>docs/containers.md</c>).</summary>
    public ContainerRestartPolicy? RestartPolicy { get; init; }

    /// <summary>The namespace the Job is created in; the cluster's default namespace when null.</summary>
    public string? Namespace { get; init; }

    /// <summary>
    /// A Job manifest's <c>spec.template</c> (a pod template: <c>metadata</c> and <c>spec</c>), as a JSON object, used
    /// instead of <see cref="Image"/> and the pod fields. String values may hold templates.
    /// </summary>
    public JsonElement? Template { get; init; }

    // The Job's own fields: Kubernetes enforces them on the Job.

    /// <summary>Job <c>completions</c>: successful pods needed; Kubernetes' default (1) when null.</summary>
    public int? Completions { get; init; }

    /// <summary>Job <c>parallelism</c>: pods at once; Kubernetes' default (1) when null.</summary>
    public int? Parallelism { get; init; }

    /// <summary>Job <c>backoffLimit</c>: pod retries before the Job fails; Kubernetes' default (6) when null.</summary>
    public int? BackoffLimit { get; init; }

    /// <summary>Job <c>activeDeadlineSeconds</c>: the Job fails this many seconds after it started.</summary>
    public int? ActiveDeadlineSeconds { get; init; }

    /// <summary>Job <c>podFailurePolicy.rules</c>, in order; none when empty.</summary>
    public IReadOnlyList<PodFailureRule> PodFailurePolicy { get; init; } = [];

    /// <summary>
    /// Job <c>ttlSecondsAfterFinished</c>: Kubernetes deletes the finished Job (and its pods) this long after. Our run
    /// and its logs are kept by the plan's <c>ttlAfterFinished</c>, not this.
    /// </summary>
    public int? TtlSecondsAfterFinished { get; init; }

    public CompletionMode? CompletionMode { get; init; }
}

/// <summary>How a container step picks its clusters among those its targets select.</summary>
public enum ClusterDispatch
{
    /// <summary>One Job, on the selected cluster with the most free capacity (the default).</summary>
    Balanced,

    /// <summary>One Job on every selected cluster.</summary>
    Each,
}

/// <summary>Kubernetes' <c>imagePullPolicy</c>.</summary>
public enum ImagePullPolicy
{
    Always,
    IfNotPresent,
    Never,
}

/// <summary>The pod's <c>restartPolicy</c>; a Job allows these two only.</summary>
public enum ContainerRestartPolicy
{
    /// <summary>A failed container makes a new pod (the default): every attempt's logs and exit code are kept.</summary>
    Never,

    /// <summary>The kubelet restarts the failed container in the same pod.</summary>
    OnFailure,
}

/// <summary>Kubernetes' Job <c>completionMode</c>.</summary>
public enum CompletionMode
{
    NonIndexed,

    /// <summary>Each pod gets an index (<c>JOB_COMPLETION_INDEX</c>), 0 to completions - 1.</summary>
    Indexed,
}

/// <summary>Resource requests and limits: resource names (<c>cpu</c>, <c>memory</c>, <c>nvidia.com/gpu</c>) to quantities.</summary>
public sealed record ContainerResources
{
    public IReadOnlyDictionary<string, string> Requests { get; init; } = new Dictionary<string, string>();

    public IReadOnlyDictionary<string, string> Limits { get; init; } = new Dictionary<string, string>();
}

/// <summary>Kubernetes' toleration <c>operator</c>.</summary>
public enum TolerationOperator
{
    Equal,
    Exists,
}

/// <summary>Kubernetes' taint <c>effect</c>.</summary>
public enum TaintEffect
{
    NoSchedule,
    PreferNoSchedule,
    NoExecute,
}

/// <summary>A pod toleration, with Kubernetes' fields.</summary>
public sealed record ContainerToleration
{
    /// <summary>The taint key; null with <see cref="TolerationOperator.Exists"/> tolerates every taint.</summary>
    public string? Key { get; init; }

    /// <summary>Kubernetes' default (<c>Equal</c>) when null.</summary>
    public TolerationOperator? Operator { get; init; }

    public string? Value { get; init; }

    /// <summary>Every effect when null.</summary>
    public TaintEffect? Effect { get; init; }

    /// <summary>With <see cref="TaintEffect.NoExecute"/>: how long the pod stays bound after the taint appears.</summary>
    public long? TolerationSeconds { get; init; }
}

/// <summary>A config map or a secret of the cluster, mounted into the container as files.</summary>
public sealed record ContainerVolume
{
    /// <summary>The volume's name in the pod: a DNS label.</summary>
    public string Name { get; init; } = "";

    /// <summary>The name of a config map in the Job's namespace; exactly one of this and <see cref="Secret"/>.</summary>
    public string? ConfigMap { get; init; }

    /// <summary>The name of a secret in the Job's namespace.</summary>
    public string? Secret { get; init; }

    /// <summary>Absolute path in the container.</summary>
    public string MountPath { get; init; } = "";

    /// <summary>Mounted read-only when true (Kubernetes' default: false).</summary>
    public bool? ReadOnly { get; init; }
}

/// <summary>Kubernetes' <c>podFailurePolicy.rules[].action</c>.</summary>
public enum PodFailureAction
{
    FailJob,
    Ignore,
    Count,
    FailIndex,
}

/// <summary>One rule of a Job's <c>podFailurePolicy</c>, with Kubernetes' fields; it matches on exit codes or pod conditions.</summary>
public sealed record PodFailureRule
{
    public PodFailureAction Action { get; init; }

    public PodFailureExitCodes? OnExitCodes { get; init; }

    public IReadOnlyList<PodFailureCondition> OnPodConditions { get; init; } = [];
}

/// <summary>Kubernetes' <c>onExitCodes</c>.</summary>
public sealed record PodFailureExitCodes
{
    /// <summary>Only this container's exit code; any container's when null.</summary>
    public string? ContainerName { get; init; }

    public ExitCodeOperator Operator { get; init; } = ExitCodeOperator.In;

    public IReadOnlyList<int> Values { get; init; } = [];
}

/// <summary>Kubernetes' <c>onPodConditions</c> item: a pod condition such as <c>DisruptionTarget</c>.</summary>
public sealed record PodFailureCondition
{
    public string Type { get; init; } = "";

    /// <summary><c>True</c> (Kubernetes' default when null), <c>False</c> or <c>Unknown</c>.</summary>
    public string? Status { get; init; }
}
