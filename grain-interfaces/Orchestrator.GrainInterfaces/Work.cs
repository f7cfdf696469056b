using Orchestrator.Plans.Model;

namespace Orchestrator.GrainInterfaces;

/// <summary>What kind of work an assignment is.</summary>
[GenerateSerializer]
public enum WorkKind
{
    Script,
    Download,
    Upload,

    /// <summary>An HTTP request made by the agent (<see cref="WorkSpec.Http"/>).</summary>
    Http,

    /// <summary>A Kubernetes Job run by a container target (<see cref="WorkSpec.Container"/>), never an agent.</summary>
    Container,
}

/// <summary>A file to download: its name on the target, checksum and size.</summary>
[GenerateSerializer]
public sealed record WorkFile(string Name, string Sha256, long Size);

/// <summary>
/// The work a host target hands its agent, already rendered for that host (templates resolved). Secret values are
/// listed so the agent masks them in everything it sends back.
/// </summary>
[GenerateSerializer]
public sealed record WorkSpec
{
    [Id(0)]
    public WorkKind Kind { get; init; }

    [Id(1)]
    public string Interpreter { get; init; } = "sh";

    [Id(2)]
    public string Source { get; init; } = "";

    [Id(3)]
    public IReadOnlyList<string> Args { get; init; } = [];

    [Id(4)]
    public IReadOnlyDictionary<string, string> Env { get; init; } = new Dictionary<string, string>();

    [Id(5)]
    public string? WorkingDirectory { get; init; }

    [Id(6)]
    public IReadOnlyList<WorkFile> Files { get; init; } = [];

    [Id(7)]
    public string? TargetDirectory { get; init; }

    [Id(8)]
    public string? Mode { get; init; }

    [Id(9)]
    public string? UploadPath { get; init; }

    /// <summary>For <see cref="WorkKind.Http"/>: the step's request with its templates rendered for the host.</summary>
    [Id(10)]
    public HttpSpec? Http { get; init; }

    [Id(11)]
    public IReadOnlyList<string> Secrets { get; init; } = [];

    /// <summary>For <see cref="WorkKind.Container"/>: the step's container with its templates rendered for the cluster.</summary>
    [Id(12)]
    public ContainerSpec? Container { get; init; }

    /// <summary>For <see cref="WorkKind.Container"/>: the step's name in the plan (the readable part of the Job's name).</summary>
    [Id(13)]
    public string? StepName { get; init; }
}

/// <summary>
/// An assignment as stored in its index row and served to the agent; <see cref="TraceParent"/> is the run's trace
/// context for the agent's span (null when the run has no trace); <see cref="Namespace"/> the target's namespace, so
/// that an agent registered with one namespace's token is handed only that namespace's work (null in rows written
/// before it was kept: handed to agents of every namespace's token only).
/// </summary>
[GenerateSerializer]
public sealed record AssignmentRecord(string Id, string Host, WorkSpec Work, int? TimeoutMs, string? SessionId, string? TraceParent = null, string? Namespace = null);
