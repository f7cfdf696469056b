namespace Orchestrator.Plans.Model;

/// <summary>What a step does.</summary>
public enum StepKind
{
    Script,
    FileDistribution,
    Approval,

    /// <summary>An HTTP request made by the agent on every target host; see <see cref="HttpSpec"/>.</summary>
    Http,

    /// <summary>A Kubernetes Job on one or more registered clusters; see <see cref="ContainerSpec"/>.</summary>
    Container,
}

/// <summary>
/// One step of a plan. Exactly one of <see cref="Script"/>, <see cref="Files"/>, <see cref="Approval"/>,
/// <see cref="Http"/> and <see cref="Container"/> is set, matching <see cref="Kind"/>; script, file and http steps have
/// host <see cref="Targets"/>, container steps cluster targets.
/// </summary>
public sealed record StepDefinition
{
    /// <summary>Unique within the plan; letters, digits, <c>_</c> and <c>-</c>. Later steps refer to it by this name.</summary>
    public string Name { get; init; } = "";

    public StepKind Kind { get; init; }

    public ScriptSpec? Script { get; init; }

    public FileDistributionSpec? Files { get; init; }

    public ApprovalSpec? Approval { get; init; }

    public HttpSpec? Http { get; init; }

    public ContainerSpec? Container { get; init; }

    public TargetSpec? Targets { get; init; }

    public ExecutionSpec Execution { get; init; } = new();

    /// <summary>When the step fails, the task instance goes on with the next step instead of failing.</summary>
    public bool ContinueOnError { get; init; }
}

/// <summary>A script run on every target host, in its own process group.</summary>
public sealed record ScriptSpec
{
    /// <summary><c>sh</c> (default), <c>bash</c>, <c>python3</c> or <c>pwsh</c>.</summary>
    public string Interpreter { get; init; } = "sh";

    /// <summary>The script text (templates allowed). A plan file may give <c>file:</c> instead; the parser inlines it.</summary>
    public string Source { get; init; } = "";

    public IReadOnlyList<string> Args { get; init; } = [];

    public IReadOnlyDictionary<string, string> Env { get; init; } = new Dictionary<string, string>();

    /// <summary>Working directory on the host; the agent's work directory when null.</summary>
    public string? WorkingDirectory { get; init; }
}

/// <summary>Files copied to every target host, verified by SHA-256 on arrival.</summary>
public sealed record FileDistributionSpec
{
    public IReadOnlyList<FileSource> Sources { get; init; } = [];

    /// <summary>Absolute directory on the target host; created if missing.</summary>
    public string TargetDirectory { get; init; } = "";

    /// <summary>Unix permission bits in octal, e.g. <c>0644</c>; the default keeps the agent's umask.</summary>
    public string? Mode { get; init; }
}

/// <summary>
/// One file to distribute: either uploaded to the orchestrator beforehand (<see cref="Sha256"/>, from
/// <c>POST /api/v1/files</c>) or taken from <see cref="Path"/> on <see cref="FromHost"/> when the step starts.
/// </summary>
public sealed record FileSource
{
    /// <summary>Name of the file on the target; defaults to the source path's file name.</summary>
    public string? Name { get; init; }

    public string? Sha256 { get; init; }

    public string? FromHost { get; init; }

    public string? Path { get; init; }
}

/// <summary>What happens when an approval's timeout passes.</summary>
public enum ApprovalTimeoutAction
{
    Reject,
    Approve,
}

/// <summary>A step that waits for people: it passes after <see cref="Required"/> approvals, fails on one rejection.</summary>
public sealed record ApprovalSpec
{
    /// <summary>
    /// Who may approve or reject: principals (names compared ignoring case) and roles (<c>role:approver</c>, <c>role:admin</c>:
    /// whoever holds that role on the instance's namespace). Empty means anyone holding the approver role.
    /// </summary>
    public IReadOnlyList<string> Approvers { get; init; } = [];

    public int Required { get; init; } = 1;

    public TimeSpan? Timeout { get; init; }

    public ApprovalTimeoutAction OnTimeout { get; init; } = ApprovalTimeoutAction.Reject;

    public string? Message { get; init; }
}
