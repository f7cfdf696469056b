using System.Collections.Concurrent;
using k8s;
using k8s.Models;
using Orchestrator.Containers.Execution;
using Orchestrator.Containers.Tests.Fake;
using Orchestrator.Runtime.Tests.Infrastructure;

namespace Orchestrator.Containers.Tests.Execution;

/// <summary>A <see cref="JobRunner"/> on a fake cluster, with what its callbacks saw.</summary>
internal sealed class RunHarness : IDisposable
{
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(20);

    private readonly IKubernetes _client;

    public RunHarness(FakeCluster cluster, JobRunOptions? options = null, TimeProvider? time = null)
    {
        Cluster = cluster;
        _client = cluster.Client();
        Connection = new ClusterConnection(cluster.Name, cluster.Address);
        Options = options ?? new JobRunOptions { ReconnectDelay = TimeSpan.FromMilliseconds(20), LogDrainTimeout = TimeSpan.FromSeconds(10) };
        Runner = new JobRunner(_client, Connection, Options, time ?? TimeProvider.System);
        Callbacks = new JobRunCallbacks
        {
            Progress = (p, _) => { Progress.Enqueue(p); return ValueTask.CompletedTask; },
            Log = (chunk, _) => { Logs.Enqueue(chunk); return ValueTask.CompletedTask; },
            Notice = Notices.Enqueue,
            Created = c => CreatedFlags.Enqueue(c),
        };
    }

    public FakeCluster Cluster { get; }

    public ClusterConnection Connection { get; }

    public JobRunOptions Options { get; }

    public JobRunner Runner { get; }

    public JobRunCallbacks Callbacks { get; }

    public ConcurrentQueue<JobProgress> Progress { get; } = new();

    public ConcurrentQueue<PodLogChunk> Logs { get; } = new();

    public ConcurrentQueue<string> Notices { get; } = new();

    public ConcurrentQueue<bool> CreatedFlags { get; } = new();

    /// <summary>The lines of one pod's log as the sink got them.</summary>
    public IReadOnlyList<string> LinesOf(string pod) => [.. Logs.Where(c => c.Pod == pod && c.Kind == PodLogChunkKind.Line).Select(c => c.Text)];

    public Task<JobOutcome> Start(JobRunRequest request, CancellationToken cancellationToken = default) =>
        Task.Run(() => Runner.RunAsync(request, Callbacks, cancellationToken), CancellationToken.None);

    /// <summary>Waits until the Job has this many running pods and returns their names.</summary>
    public Task<IReadOnlyList<string>> RunningPods(string job, int count) =>
        Eventually.Until(() => Task.FromResult(Cluster.RunningPodsOf(job)), p => p.Count == count, Timeout, $"{count} running pod(s) of {job}");

    public Task<IReadOnlyList<string>> Lines(string pod, int count) =>
        Eventually.Until(() => Task.FromResult(LinesOf(pod)), l => l.Count >= count, Timeout, $"{count} log line(s) of {pod}");

    public static async Task<JobOutcome> Ended(Task<JobOutcome> run) => await run.WaitAsync(Timeout);

    /// <summary>A Job as the Job builder makes them: our labels, one container, restartPolicy Never.</summary>
    public static V1Job Job(string name, int? completions = null, int? parallelism = null, int? backoffLimit = null,
        long? activeDeadlineSeconds = null, V1PodFailurePolicy? podFailurePolicy = null, string image = "registry.example/tools:1.0") => new()
    {
        ApiVersion = "batch/v1",
        Kind = "Job",
        Metadata = new V1ObjectMeta
        {
            Name = name,
            Labels = new Dictionary<string, string>
            {
                [ContainerSteps.ManagedByLabel] = ContainerSteps.ManagedByValue,
                ["orchestrator.io/step"] = name + "-step",
            },
        },
        Spec = new V1JobSpec
        {
            Completions = completions,
            Parallelism = parallelism,
            BackoffLimit = backoffLimit,
            ActiveDeadlineSeconds = activeDeadlineSeconds,
            PodFailurePolicy = podFailurePolicy,
            Template = new V1PodTemplateSpec
            {
                Spec = new V1PodSpec
                {
                    RestartPolicy = "Never",
                    Containers = [new V1Container { Name = "main", Image = image, Command = ["/bin/sh", "-c", "echo hi"] }],
                },
            },
        },
    };

    public void Dispose() => _client.Dispose();
}
