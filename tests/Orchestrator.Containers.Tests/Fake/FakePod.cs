using k8s.Models;

namespace Orchestrator.Containers.Tests.Fake;

/// <summary>A pod of the fake cluster: its API object, the log lines the test gave it, and the Job controller's bookkeeping.</summary>
internal sealed class FakePod(V1Pod pod, string jobName)
{
    public V1Pod Pod { get; } = pod;

    public string JobName { get; } = jobName;

    /// <summary>Lines with the kubelet timestamp they were written at (RFC 3339, trailing fraction zeros trimmed as the kubelet does).</summary>
    public List<(string Timestamp, string Text)> Log { get; } = [];

    /// <summary>A pod failure policy's <c>Ignore</c> rule matched: the failure does not count towards the back-off limit.</summary>
    public bool Ignored { get; set; }

    /// <summary>The completion index of a pod of an Indexed Job; null otherwise.</summary>
    public int? Index { get; init; }

    /// <summary>Set when the pod object is deleted (its log stream ends; it no longer counts).</summary>
    public bool Deleted { get; set; }

    public bool Ended => Deleted || Pod.Status.Phase is "Succeeded" or "Failed";
}
