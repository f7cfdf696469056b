using Orchestrator.Agent.Protocol;

namespace Orchestrator.Agent.Polling;

/// <summary>
/// What the poll loops feed: the real host's <see cref="Execution.AssignmentScheduler"/> or the
/// <see cref="Simulation.SimulatedFleet"/>. Hosts are polled in groups (one group for a real agent).
/// </summary>
internal interface IAssignmentWorkload
{
    /// <summary>The host names polled together, one poll loop per group.</summary>
    IReadOnlyList<IReadOnlyList<string>> PollGroups { get; }

    /// <summary>Assignments the group's hosts can take now.</summary>
    int FreeSlots(int group);

    /// <summary>Ids held for the group's hosts: queued, running, or finished and not yet acknowledged.</summary>
    IReadOnlyList<string> HeldIds(int group);

    /// <summary>Cancelled when a slot frees after it was read, so a poll that asked for nothing can be cut short.</summary>
    CancellationToken SlotFreedToken { get; }

    /// <summary>Every held id, all groups.</summary>
    int HeldCount { get; }

    void Accept(IReadOnlyList<Assignment> assignments);

    /// <summary>Kills what is named; returns how many were not already being cancelled.</summary>
    int Cancel(IReadOnlyList<string> assignmentIds);

    /// <summary>Completes once nothing is held any more.</summary>
    Task WhenIdleAsync(CancellationToken cancellationToken);
}
