using Orchestrator.GrainInterfaces;
using Orchestrator.Plans.Model;

namespace Orchestrator.Api.Instances;

/// <summary>A task instance in the list: its id and its index row.</summary>
public sealed record InstanceListItem(string Id, string Namespace, InstanceIndexData Instance);

/// <summary>
/// A step of a task instance: its status, attempt, reason and outputs, its host targets counted by status, and, once
/// it has started, its rolling batch (from 1) of <c>batchCount</c>.
/// </summary>
public sealed record StepReply(int Index, string Name, StepKind Kind, ExecutionStatus Status, int Attempt, string? Reason, IReadOnlyDictionary<string, string> Outputs,
    IReadOnlyDictionary<string, long> Targets, int? Batch, int? BatchCount);

/// <summary>
/// A task instance: its status and <c>reason</c>, its parameters (secrets <c>***</c>), each step, the control actions
/// taken (who, what, when, why), and the run's parked messages when there are any.
/// </summary>
public sealed record InstanceReply(string Id, string Namespace, string PlanId, int PlanVersion, string PlanName, ExecutionStatus Status, int CurrentStep,
    IReadOnlyDictionary<string, string> Parameters, DateTimeOffset CreatedAt, DateTimeOffset? StartedAt, DateTimeOffset? FinishedAt, DateTimeOffset? NotBefore,
    string? Schedule, DateTimeOffset? DueTime, IReadOnlyDictionary<string, string>? Labels, long Revision, string? Reason, string By, IReadOnlyList<StepReply> Steps,
    IReadOnlyList<ControlRecord> Actions, IReadOnlyList<DeadLetterView>? DeadLetters);

/// <summary>A control action applied to a task instance (<c>cancel</c>).</summary>
public sealed record InstanceActionReply(string Id, string Action);

/// <summary>A step action applied (<c>skip</c>, <c>continue</c>, <c>approve</c>, <c>reject</c>, <c>retry</c>).</summary>
public sealed record StepActionReply(string Id, int Step, string Action);

/// <summary>A host target of a step in the list: its host and its index row.</summary>
public sealed record TargetListItem(string Host, TargetIndexData Target);

/// <summary>
/// A step's hosts grouped by identical output (the SHA-256 of the run's first 64 Ki characters of stdout and stderr),
/// exit code and status, largest first: at most <see cref="MaxGroups"/> groups, the hosts of any further group counted
/// in <see cref="Other"/>. <see cref="Grouped"/>: hosts in a group or in Other (hosts still running are in none). Page a
/// group's hosts with <c>…/targets?group=&lt;key&gt;</c>.
/// </summary>
public sealed record StepGroupsReply(int Step, int Attempt, IReadOnlyList<OutputGroup> Groups, int Other, int Grouped, int MaxGroups);

/// <summary>One chunk of a run's log: its sequence number, when it was written, its stream (<c>stdout</c>, <c>stderr</c>, <c>system</c>) and its text.</summary>
public sealed record LogChunkReply(long Seq, DateTimeOffset At, string Stream, string Text);

/// <summary>
/// A range of a run's log: <c>complete</c> says every chunk the agent sent is stored, <c>truncated</c> that the cap was
/// hit; <c>nextSeq</c> is where the next read starts.
/// </summary>
public sealed record LogReply(int Run, bool Complete, long NextSeq, bool Truncated, long StoredBytes, IReadOnlyList<LogChunkReply> Chunks);
