using System.Globalization;
using System.Text.RegularExpressions;

namespace Orchestrator.Containers.Jobs;

/// <summary>
/// The labels and annotations on every Job, pod and Secret we create: who made it, and for which run. Labels are what
/// <c>kubectl get jobs -l</c> and the runner select by; since a label value is at most 63 characters of a restricted
/// set, a value that does not fit is replaced by a hash of it, and the exact values are kept in annotations.
/// </summary>
public static partial class JobLabels
{
    /// <summary>The task instance (its id, or <c>h-</c> and a hash of it when the id is not a valid label value).</summary>
    public const string Instance = "orchestrator/instance";

    /// <summary>The step's index in the plan.</summary>
    public const string Step = "orchestrator/step";

    public const string Cluster = "orchestrator/cluster";

    /// <summary>The target attempt, 1 for the first.</summary>
    public const string Attempt = "orchestrator/attempt";

    /// <summary>Annotation: the exact task instance id.</summary>
    public const string InstanceAnnotation = "orchestrator/instance-id";

    /// <summary>Annotation: the step's name in the plan.</summary>
    public const string StepNameAnnotation = "orchestrator/step-name";

    /// <summary>The labels of a run's Job, its pods and its Secret.</summary>
    public static Dictionary<string, string> For(JobIdentity identity) => new(StringComparer.Ordinal)
    {
        [ContainerSteps.ManagedByLabel] = ContainerSteps.ManagedByValue,
        [Instance] = LabelValue(identity.InstanceId),
        [Step] = identity.StepIndex.ToString(CultureInfo.InvariantCulture),
        [Cluster] = LabelValue(identity.Cluster),
        [Attempt] = identity.Attempt.ToString(CultureInfo.InvariantCulture),
    };

    /// <summary>The annotations of a run's Job and Secret: the exact values the labels may have had to shorten.</summary>
    public static Dictionary<string, string> AnnotationsFor(JobIdentity identity) => new(StringComparer.Ordinal)
    {
        [InstanceAnnotation] = identity.InstanceId,
        [StepNameAnnotation] = identity.StepName,
    };

    /// <summary><paramref name="value"/> when it is a valid label value, else <c>h-</c> and 16 hex digits of its hash.</summary>
    public static string LabelValue(string value) =>
        LabelValuePattern().IsMatch(value) ? value : "h-" + JobIdentity.Hash(value);

    [GeneratedRegex("^(([A-Za-z0-9][-A-Za-z0-9_.]{0,61})?[A-Za-z0-9])?$", RegexOptions.CultureInvariant)]
    private static partial Regex LabelValuePattern();
}
