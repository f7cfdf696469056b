using System.Globalization;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Orchestrator.Agent.Hosting;
using Orchestrator.Agent.Polling;
using Orchestrator.Agent.Protocol;
using Orchestrator.Agent.Reporting;

namespace Orchestrator.Agent.Simulation;

/// <summary>
/// Many host identities in one process, for load tests of the orchestrator: <see cref="AgentOptions.Simulate"/> hosts
/// named <see cref="AgentOptions.HostPrefix"/><c>00001</c>…, registered, heartbeating and polling together (in groups
/// of <see cref="AgentOptions.HostsPerPoll"/>). Every assignment finishes at once as succeeded, exit code 0, no log
/// and no Started event; the Finished events go out in batches. A host's slot stays taken until its Finished event is
/// acknowledged, so <see cref="AgentOptions.Capacity"/> per host bounds what is outstanding.
/// A host that runs the same target again (an assignment id <c>{target}#{run}</c> whose target it ran last) is
/// logged as a warning and counted (<see cref="Repeats"/>): the fault tests' evidence that no host executed twice.
/// </summary>
internal sealed partial class SimulatedFleet : IAssignmentWorkload
{
    private readonly ReportQueue queue;
    private readonly TimeProvider timeProvider;
    private readonly Dictionary<string, int> groupOfHost = new(StringComparer.Ordinal);
    private readonly HashSet<string>[] heldByGroup;
    private readonly int[] freeByGroup;
    private readonly Lock gate = new();
    private readonly RecentIds recent;
    private readonly AsyncSignal changed = new();
    private readonly Dictionary<string, string> lastTargetOfHost = new(StringComparer.Ordinal); // one entry per host at most
    private readonly ILogger logger;
    private CancellationTokenSource slotFreed = new();
    private int heldCount;
    private int repeats;

    public SimulatedFleet(AgentOptions options, ReportQueue queue, TimeProvider timeProvider, ILogger? logger = null)
    {
        this.queue = queue;
        this.timeProvider = timeProvider;
        this.logger = logger ?? NullLogger.Instance;
        recent = new RecentIds(options.RecentlyFinishedRetention, timeProvider);
        var hosts = HostNames(options);
        PollGroups = hosts.Chunk(options.HostsPerPoll).Select(g => (IReadOnlyList<string>)g).ToArray();
        heldByGroup = PollGroups.Select(_ => new HashSet<string>(StringComparer.Ordinal)).ToArray();
        freeByGroup = PollGroups.Select(g => g.Count * options.Capacity).ToArray();
        for (var group = 0; group < PollGroups.Count; group++)
        {
            foreach (var host in PollGroups[group])
            {
                groupOfHost[host] = group;
            }
        }
    }

    public IReadOnlyList<IReadOnlyList<string>> PollGroups { get; }

    public CancellationToken SlotFreedToken
    {
        get
        {
            lock (gate)
            {
                return slotFreed.Token;
            }
        }
    }

    public int HeldCount
    {
        get
        {
            lock (gate)
            {
                return heldCount;
            }
        }
    }

    /// <summary><c>prefix00001</c>…: at least five digits, more when the fleet needs them.</summary>
    public static IReadOnlyList<string> HostNames(AgentOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var digits = Math.Max(5, options.Simulate.ToString(CultureInfo.InvariantCulture).Length);
        return Enumerable.Range(1, options.Simulate).Select(i => options.HostPrefix + i.ToString("D" + digits, CultureInfo.InvariantCulture)).ToArray();
    }

    /// <summary>Executions of a target its host had run last (the same target again: a duplicate unless a retry).</summary>
    public int Repeats => Volatile.Read(ref repeats);

    public int FreeSlots(int group)
    {
        lock (gate)
        {
            return Math.Max(0, freeByGroup[group]);
        }
    }

    public IReadOnlyList<string> HeldIds(int group)
    {
        lock (gate)
        {
            return heldByGroup[group].ToArray();
        }
    }

    public void Accept(IReadOnlyList<Assignment> assignments)
    {
        ArgumentNullException.ThrowIfNull(assignments);
        var now = timeProvider.GetUtcNow();
        foreach (var assignment in assignments)
        {
            lock (gate)
            {
                if (!groupOfHost.TryGetValue(assignment.Host, out var group) || recent.Contains(assignment.Id) || !heldByGroup[group].Add(assignment.Id))
                {
                    continue;
                }
                freeByGroup[group]--;
                heldCount++;
                CountExecution(assignment);
            }
            queue.AddEvent(new AgentEvent
            {
                AssignmentId = assignment.Id,
                Type = AgentEventType.Finished,
                At = now,
                Outcome = AgentOutcome.Succeeded,
                ExitCode = 0,
                LogChunks = 0,
                StartedAt = now,
            }, () => Release(assignment));
        }
    }

    /// <summary>Nothing to kill: every assignment finished the moment it arrived.</summary>
    public int Cancel(IReadOnlyList<string> assignmentIds) => 0;

    public async Task WhenIdleAsync(CancellationToken cancellationToken)
    {
        while (HeldCount > 0)
        {
            await changed.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Under the gate: remembers the target the host runs; the same one again is logged and counted.</summary>
    private void CountExecution(Assignment assignment)
    {
        var run = assignment.Id.LastIndexOf('#');
        var target = run > 0 ? assignment.Id[..run] : assignment.Id;
        if (lastTargetOfHost.TryGetValue(assignment.Host, out var last) && string.Equals(last, target, StringComparison.Ordinal))
        {
            repeats++;
            Log.RanAgain(logger, assignment.Host, target, assignment.Id);
        }
        lastTargetOfHost[assignment.Host] = target;
    }

    private void Release(Assignment assignment)
    {
        CancellationTokenSource freed;
        lock (gate)
        {
            var group = groupOfHost[assignment.Host];
            heldByGroup[group].Remove(assignment.Id);
            freeByGroup[group]++;
            heldCount--;
            recent.Add(assignment.Id);
            freed = slotFreed;
            slotFreed = new CancellationTokenSource();
        }
        freed.Cancel();
        changed.Set();
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 1901, Level = LogLevel.Warning, Message = "Simulated host {Host} executed {Target} again (assignment {AssignmentId})")]
        public static partial void RanAgain(ILogger logger, string host, string target, string assignmentId);
    }
}
