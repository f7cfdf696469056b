using Orchestrator.Plans.Model;

namespace Orchestrator.GrainInterfaces;

/// <summary>What kind of work an assignment is.</summary>
public enum WorkKind
{
    Script,
    Download,
    Upload,

    /// <summary>An HTTP request made by the agent (<see cref="WorkSpec.Http"/>).</summary>
    Http,
}

/// <summary>A file to download: its name on the target, checksum and size.</summary>
public sealed record WorkFile(string Name, string Sha256, long Size);

/// <summary>
/// The work a host target hands its agent, already rendered for that host (templates resolved). Secret values are
/// listed so the agent masks them in everything it sends back.
/// </summary>
public sealed record WorkSpec
{
    public WorkKind Kind { get; init; }

    public string Interpreter { get; init; } = "sh";

    public string Source { get; init; } = "";

    public IReadOnlyList<string> Args { get; init; } = [];

    public IReadOnlyDictionary<string, string> Env { get; init; } = new Dictionary<string, string>();

    public string? WorkingDirectory { get; init; }

    public IReadOnlyList<WorkFile> Files { get; init; } = [];

    public string? TargetDirectory { get; init; }

    public string? Mode { get; init; }

    public string? UploadPath { get; init; }

    /// <summary>For <see cref="WorkKind.Http"/>: the step's request with its templates rendered for the host.</summary>
    public HttpSpec? Http { get; init; }

    public IReadOnlyList<string> Secrets { get; init; } = [];
}

/// <summary>An assignment as stored in its index row and served to the agent.</summary>
public sealed record AssignmentRecord(string Id, string Host, WorkSpec Work, int? TimeoutMs, string? SessionId);
