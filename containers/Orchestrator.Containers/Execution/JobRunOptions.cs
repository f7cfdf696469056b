namespace Orchestrator.Containers.Execution;

/// <summary>How a <see cref="JobRunner"/> watches a Job and follows its pods' logs.</summary>
public sealed class JobRunOptions
{
    /// <summary>
    /// How long a pod may sit in an image pull error (<c>ImagePullBackOff</c>, <c>ErrImagePull</c>, ...) before the run
    /// is a failure and the Job is deleted. Default 2 minutes: Kubernetes retries a pull forever, so without a grace a
    /// typo in an image name would hold the step until its deadline; too short and a slow registry fails good runs.
    /// </summary>
    public TimeSpan ImagePullGrace { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>
    /// How long the cluster may stay unreachable while a Job is watched before the run ends as
    /// <see cref="JobOutcomeKind.ClusterUnreachable"/> (the Job may still run; a later run with the same Job name attaches
    /// to it). Default 5 minutes, so a control-plane restart does not fail steps.
    /// </summary>
    public TimeSpan UnreachableGrace { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>
    /// How long one request-and-answer call (create, read, list, delete) may take before it counts as no answer.
    /// Default 30 seconds: a hung API server is then reported like a refusing one instead of holding the step for the
    /// client library's own 100-second timeout. Watches and log streams are long-lived and not bound by it.
    /// </summary>
    public TimeSpan RequestTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// Wait before re-opening a watch or log stream after it failed or closed without delivering anything. Default
    /// 1 second: keeps a dead or flapping server from being hammered; zero re-opens at once.
    /// </summary>
    public TimeSpan ReconnectDelay { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// Bytes of log kept per pod; past it one <see cref="PodLogChunkKind.Truncated"/> chunk is sent and the pod's log is
    /// no longer followed. Default 4 MiB, the size a host step's log is capped at; a container that logs more is
    /// better read with <c>kubectl logs</c> than stored.
    /// </summary>
    public long LogBytesPerPod { get; set; } = 4 * 1024 * 1024;

    /// <summary>
    /// How long, once the Job has ended, the run waits for its pods' log streams to finish. Default 30 seconds; a log
    /// still open after it is cut off (the outcome matters more than the last lines).
    /// </summary>
    public TimeSpan LogDrainTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// The problems with these options, each naming the setting (<paramref name="settingPrefix"/> and the option's
    /// name: the silo's settings are <c>ContainerImagePullGrace</c>, ...) and the bad value; none when valid.
    /// </summary>
    public IEnumerable<string> Validate(string settingPrefix = "")
    {
        foreach (var (name, value, min, max) in new[]
        {
            (nameof(ImagePullGrace), ImagePullGrace, TimeSpan.FromSeconds(1), TimeSpan.FromDays(1)),
            (nameof(UnreachableGrace), UnreachableGrace, TimeSpan.FromSeconds(1), TimeSpan.FromDays(1)),
            (nameof(RequestTimeout), RequestTimeout, TimeSpan.FromSeconds(1), TimeSpan.FromMinutes(10)),
            (nameof(ReconnectDelay), ReconnectDelay, TimeSpan.Zero, TimeSpan.FromMinutes(5)),
            (nameof(LogDrainTimeout), LogDrainTimeout, TimeSpan.FromSeconds(1), TimeSpan.FromMinutes(10)),
        })
        {
            if (value < min || value > max)
            {
                yield return $"{settingPrefix}{name}: {value} is outside {min} to {max}.";
            }
        }
        if (LogBytesPerPod is < 1024 or > 1024L * 1024 * 1024)
        {
            yield return $"{settingPrefix}{nameof(LogBytesPerPod)}: {LogBytesPerPod} is outside 1024 to 1073741824 (1 KiB to 1 GiB).";
        }
    }
}
