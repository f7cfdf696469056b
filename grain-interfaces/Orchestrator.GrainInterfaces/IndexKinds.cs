namespace Orchestrator.GrainInterfaces;

/// <summary>
/// The index rows the domain grains write with their state (see <c>Orchestrator.Runtime.Indexes</c>), and how their
/// partitions and keys are formed. The API and the agent gateway read them; nothing else writes them.
/// </summary>
public static class IndexKinds
{
    /// <summary>
    /// Partition "", key host name, status <see cref="HostStatus"/>, data <see cref="HostIndexData"/> (with the host's
    /// namespace: one partition, because steps scan every host a selector could match and filter on it).
    /// </summary>
    public const string Host = "host";

    /// <summary>Partition host name, key assignment id, status <see cref="AssignmentState"/>, data <see cref="AssignmentRecord"/>.</summary>
    public const string Assignment = "assign";

    /// <summary>Partition step key, key host name, status <see cref="TargetStatus"/>, data <see cref="TargetIndexData"/>.</summary>
    public const string Target = "target";

    /// <summary>
    /// Partition <see cref="TargetGroupPartition"/> (step key + "/" + an <see cref="OutputGroupKey"/>), key host name,
    /// status <see cref="TargetStatus"/>, data <see cref="TargetIndexData"/>: the hosts of one output group, so that
    /// a group's hosts are paged from the server. Written by the host target with its final row (and deleted when it
    /// runs again); rows of before output groups have none.
    /// </summary>
    public const string TargetGroup = "targetgroup";

    public static string TargetGroupPartition(string stepKey, string group) => stepKey + "/" + group;

    /// <summary>Partition step key + "/" + step attempt, key the target's position (7 digits), data the host name.</summary>
    public const string StepTarget = "steptarget";

    /// <summary>
    /// Partition the namespace, key task instance id, status <see cref="ExecutionStatus"/>, data <see cref="InstanceIndexData"/>.
    /// Rows written before namespaces existed are in partition "" and read as <c>default</c> (<see cref="NamespacePartitions"/>).
    /// </summary>
    public const string Instance = "instance";

    /// <summary>
    /// Partition the namespace, key <see cref="InstanceTimeKey"/> (newest first in key order), status
    /// <see cref="ExecutionStatus"/>, data <see cref="InstanceIndexData"/>: the runs in the order they were created, so
    /// that a list of them is paged newest first from the server. Written with each <see cref="Instance"/> row; rows of
    /// runs created before it were copied from those by the store's migration (partition "" kept: <c>default</c>). It
    /// orders; the <see cref="Instance"/> row stays the truth (a previous version writes only that one), so a list
    /// reads a listed run's status from it.
    /// </summary>
    public const string InstanceByTime = "instancetime";

    /// <summary>The latest second <see cref="InstanceTimeKey"/> orders (year 5138).</summary>
    public const long MaxInstanceTimeSeconds = 99_999_999_999;

    /// <summary>
    /// A run's key in <see cref="InstanceByTime"/>: the seconds from its creation to <see cref="MaxInstanceTimeSeconds"/>
    /// (11 digits, so that a later run sorts first), '/', its id. Seconds, not finer: the store's migration computes the
    /// same key from the JSON time with SQL date functions, which agree with .NET to the second.
    /// </summary>
    public static string InstanceTimeKey(DateTimeOffset createdAt, string id) =>
        (MaxInstanceTimeSeconds - createdAt.ToUnixTimeSeconds()).ToString("D11", System.Globalization.CultureInfo.InvariantCulture) + "/" + id;

    /// <summary>The first key of <see cref="InstanceByTime"/> rows created at or before <paramref name="at"/> (a run's own key sorts after it).</summary>
    public static string InstanceTimeBound(DateTimeOffset at) =>
        (MaxInstanceTimeSeconds - at.ToUnixTimeSeconds()).ToString("D11", System.Globalization.CultureInfo.InvariantCulture) + "/";

    /// <summary>Whether <paramref name="key"/> has the form of an <see cref="InstanceTimeKey"/>: 11 digits, '/', an id.</summary>
    public static bool IsInstanceTimeKey(string key) =>
        key is { Length: > 12 } && key[11] == '/' && !key.AsSpan(0, 11).ContainsAnyExceptInRange('0', '9');

    /// <summary>The run's id in an <see cref="InstanceTimeKey"/>.</summary>
    public static string InstanceIdOfTimeKey(string key) => key[12..];

    /// <summary>Partition the namespace (or "" for rows of before namespaces: <c>default</c>), key plan id, data <see cref="PlanIndexData"/>.</summary>
    public const string Plan = "plan";

    /// <summary>
    /// Partition the namespace (or "": <c>default</c>), key schedule key (plan id/name, so a plan's schedules are
    /// adjacent), status 1 when suspended, data <see cref="ScheduleIndexData"/>.
    /// </summary>
    public const string Schedule = "schedule";

    /// <summary>
    /// Partition "", key a namespace name, no data: the namespaces plans were created in (written by the plan grain on
    /// a plan's first version), so that a caller whose role holds on every namespace (<c>*</c>) can list all of them.
    /// </summary>
    public const string Namespace = "namespace";

    /// <summary>
    /// Partition the namespace, key a file's SHA-256, data <see cref="FileIndexData"/>: the files uploaded into a
    /// namespace (a plan of the namespace may reference only these).
    /// </summary>
    public const string File = "file";

    /// <summary>
    /// Partition "", key <see cref="HookParkedKey"/> (subject, then the revision in 19 digits), data
    /// <see cref="HookParkedIndexData"/>: status hook events that ran out of retries, across subjects.
    /// </summary>
    public const string HookParked = "hookparked";

    /// <summary>
    /// Partition the grain id (<c>plan/p1</c>), key a request id, status the minute it was recorded (since 1970), data
    /// <see cref="RequestLogEntry"/>: outcomes of clients' keyed commands pushed out of a grain's <see cref="RequestLog"/>
    /// inside the idempotency window.
    /// </summary>
    public const string Request = "request";

    public static string HookParkedKey(string subject, long revision) =>
        subject + "/" + revision.ToString("D19", System.Globalization.CultureInfo.InvariantCulture);

    public static string Position(int index) => index.ToString("D7", System.Globalization.CultureInfo.InvariantCulture);
}

/// <summary>Keys of the domain grains.</summary>
public static class GrainKeys
{
    public static string Step(string instanceId, int stepIndex) => $"{instanceId}:{stepIndex}";

    /// <summary>A plan's schedule: plan id and schedule name (neither contains '/').</summary>
    public static string Schedule(string planId, string name) => $"{planId}/{name}";

    public static string Target(string stepKey, string host) => $"{stepKey}:{host}";

    public static string Assignment(string targetKey, int run) => $"{targetKey}#{run}";

    /// <summary>Splits an assignment id into its target key and run; false if it is not one.</summary>
    public static bool TryParseAssignment(string assignmentId, out string targetKey, out int run)
    {
        var hash = assignmentId.LastIndexOf('#');
        targetKey = hash > 0 ? assignmentId[..hash] : "";
        run = 0;
        return hash > 0 && int.TryParse(assignmentId.AsSpan(hash + 1), System.Globalization.CultureInfo.InvariantCulture, out run);
    }

    /// <summary>Splits a host target key into its step key and target name (a host, or <c>@srcN</c> for a file source).</summary>
    public static (string StepKey, string Name) SplitTarget(string targetKey)
    {
        var first = targetKey.IndexOf(':', StringComparison.Ordinal);
        var second = first < 0 ? -1 : targetKey.IndexOf(':', first + 1);
        return second < 0 ? (targetKey, "") : (targetKey[..second], targetKey[(second + 1)..]);
    }

    public static string LogStream(string targetKey, int run) => Assignment(targetKey, run);

    /// <summary>
    /// One pod's log of a container target's run: the run's stream, '/', the pod's name. Each pod has its own stream so
    /// that a resumed run (a silo crashed) re-appends a pod's lines at the same sequence numbers, where they are skipped.
    /// </summary>
    public static string PodLogStream(string targetKey, int run, string pod) => $"{LogStream(targetKey, run)}/{pod}";
}

/// <summary>Whether a host's agent is connected.</summary>
[GenerateSerializer]
public enum HostStatus
{
    Offline = 0,
    Online = 1,
    Draining = 2,
}

/// <summary>Where an assignment is on its agent.</summary>
[GenerateSerializer]
public enum AssignmentState
{
    Dispatched = 0,
    Started = 1,
    CancelRequested = 2,
}

/// <summary>A host's row; <see cref="Namespace"/> null in rows of before namespaces (<c>default</c>).</summary>
[GenerateSerializer]
public sealed record HostIndexData(IReadOnlyDictionary<string, string> Labels, string? SessionId, DateTimeOffset? LastSeen, int Capacity, string? Namespace = null,
    HostOperation Operation = HostOperation.Active);

/// <summary>
/// What an admin lets a host do (independent of <see cref="HostStatus"/>, which is its agent's liveness): take work
/// (<see cref="Active"/>), take no new work (<see cref="Paused"/>), or take no new work while what runs finishes
/// (<see cref="Draining"/>, shown <see cref="Drained"/> once nothing runs on the host: its agent is safe to stop).
/// </summary>
[GenerateSerializer]
public enum HostOperation
{
    Active = 0,
    Paused = 1,
    Draining = 2,

    /// <summary>Never stored: a <see cref="Draining"/> host on which nothing runs any more.</summary>
    Drained = 3,
}

/// <summary>A file uploaded into a namespace: its size, when and by whom (the first upload of it there).</summary>
[GenerateSerializer]
public sealed record FileIndexData(long Size, DateTimeOffset UploadedAt, string By);

/// <summary>The index partitions of the namespaced kinds (plans, instances, schedules, files); pure.</summary>
public static class NamespacePartitions
{
    /// <summary>The partitions rows of <paramref name="ns"/> are in: its own, and for <c>default</c> also "" (rows of before namespaces).</summary>
    public static IEnumerable<string> Of(string ns) =>
        ns == Plans.Model.Namespaces.Default ? [ns, ""] : [ns];

    /// <summary>The namespace a row of partition <paramref name="partition"/> is in.</summary>
    public static string NamespaceOf(string partition) => Plans.Model.Namespaces.Of(partition);
}

/// <summary>
/// A host target's row. <see cref="Position"/>: its place in <see cref="StepAttempt"/>'s rollout (null for a file
/// source, and in rows written before positions were kept); a step that missed a target's report finds it by it.
/// <see cref="Group"/>: the <see cref="OutputGroupKey"/> of its last final report (null while it runs, and in rows
/// written before output groups). <see cref="Kind"/>: <see cref="TargetKind.Container"/> for a container step's cluster
/// target, null for a host's (so host rows stay as they were).
/// </summary>
[GenerateSerializer]
public sealed record TargetIndexData(TargetStatus Status, int Run, int StepAttempt, int? ExitCode, DateTimeOffset? StartedAt, DateTimeOffset? FinishedAt, int? Percent, string? Error,
    int? Position = null, string? Group = null, TargetKind? Kind = null);

/// <summary>A run's row; <see cref="By"/>: who started it (null in rows written before it was kept).</summary>
[GenerateSerializer]
public sealed record InstanceIndexData(string PlanId, int PlanVersion, string PlanName, ExecutionStatus Status, DateTimeOffset CreatedAt, DateTimeOffset? FinishedAt,
    string? By = null);

[GenerateSerializer]
public sealed record PlanIndexData(string Name, int Version, DateTimeOffset UpdatedAt);

[GenerateSerializer]
public sealed record HookParkedIndexData(string Subject, long Revision, string Url, string DeliveryId, int Attempts, DateTimeOffset QueuedAt, DateTimeOffset ParkedAt, string? LastError);
