using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Orchestrator.Agent.Execution;
using Orchestrator.Agent.Polling;
using Orchestrator.Agent.Protocol;
using Orchestrator.Agent.Reporting;
using Orchestrator.Agent.Simulation;
using Orchestrator.Agent.Transport;

namespace Orchestrator.Agent;

/// <summary>
/// An agent: kills process groups a crashed predecessor left behind, registers its hosts, then heartbeats, polls
/// for assignments, runs them (or, with <see cref="AgentOptions.Simulate"/>, finishes them at once for a simulated
/// fleet) and reports their logs and events until the token passed to <see cref="RunAsync(CancellationToken)"/> is cancelled. Then it
/// drains: tells the server it takes no new work, lets what runs finish and report, and returns. It rides through
/// API restarts (retrying with back-off and registering again with the same session id). The executable is a thin
/// wrapper around this class; the silo can host one in-process.
/// </summary>
public sealed partial class AgentRunner
{
    private readonly AgentOptions options;
    private readonly ILoggerFactory loggerFactory;
    private readonly TimeProvider timeProvider;
    private readonly ILogger logger;
    private readonly AgentSession session;
    private int started;

    /// <param name="options">Copied; later changes to it have no effect. Invalid options throw <see cref="ArgumentException"/>.</param>
    /// <param name="loggerFactory">Where the agent logs; none by default.</param>
    /// <param name="timeProvider">The clock for intervals, timeouts and timestamps; the system clock by default.</param>
    public AgentRunner(AgentOptions options, ILoggerFactory? loggerFactory = null, TimeProvider? timeProvider = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        var errors = options.Validate();
        if (errors.Count > 0)
        {
            throw new ArgumentException("Invalid agent options: " + string.Join(" ", errors), nameof(options));
        }
        this.options = options.Clone();
        this.loggerFactory = loggerFactory ?? NullLoggerFactory.Instance;
        this.timeProvider = timeProvider ?? TimeProvider.System;
        logger = this.loggerFactory.CreateLogger<AgentRunner>();
        var labels = new Dictionary<string, string>(this.options.Labels, StringComparer.Ordinal);
        var hostNames = this.options.Simulate > 0 ? SimulatedFleet.HostNames(this.options) : [this.options.Host];
        session = new AgentSession(hostNames.Select(h => new AgentHost(h, labels, this.options.Capacity)).ToArray());
    }

    /// <summary>This process's session id: new for every runner, kept across re-registrations.</summary>
    public string SessionId => session.SessionId;

    /// <summary>The host names this agent answers for.</summary>
    public IReadOnlyList<string> Hosts => session.HostNames;

    /// <summary>
    /// Runs until <paramref name="cancellationToken"/> is cancelled, then drains (as on SIGTERM) and completes once
    /// every held assignment finished and its report was acknowledged. Cancelled before the first registration
    /// succeeded, it returns at once. A runner runs once.
    /// </summary>
    public Task RunAsync(CancellationToken cancellationToken) => RunAsync(cancellationToken, CancellationToken.None, CancellationToken.None);

    /// <summary>
    /// Runs until <paramref name="drain"/> is cancelled, then drains with limits, for a host that must stop within a
    /// set time (the silo's local agent). Once <paramref name="kill"/> is cancelled, whatever still runs is killed
    /// (process tree: SIGTERM, SIGKILL after <see cref="AgentOptions.KillGracePeriod"/>) and reported as an error
    /// saying the agent stopped. Once <paramref name="abandon"/> is cancelled the runner stops at once: reports not
    /// yet acknowledged are dropped, and the server ends those assignments when this host's next session registers
    /// (<c>agentLost</c>), whose agent also kills what is left running. Returns normally in every case.
    /// </summary>
    public async Task RunAsync(CancellationToken drain, CancellationToken kill, CancellationToken abandon)
    {
        var cancellationToken = drain;
        if (Interlocked.Exchange(ref started, 1) == 1)
        {
            throw new InvalidOperationException("An AgentRunner runs once; create another.");
        }
        Directory.CreateDirectory(options.WorkDirectory);
        var journal = new ProcessGroupJournal(options.EffectiveStateDirectory, timeProvider, loggerFactory.CreateLogger<ProcessGroupJournal>());
        if (options.Simulate == 0)
        {
            // Finished even when cancelled meanwhile: it takes at most the grace period, and leaving orphans is worse.
            var killed = await journal.KillOrphansAsync(options.KillGracePeriod, CancellationToken.None).ConfigureAwait(false);
            if (killed > 0)
            {
                Log.OrphansKilled(logger, killed, journal.Directory);
            }
        }

        if (options.Simulate == 0)
        {
            _ = new Hosting.LocalFilePruner(options, timeProvider, loggerFactory.CreateLogger<Hosting.LocalFilePruner>()).RunAsync(drain); // at start, then daily
        }

        using var client = new AgentApiClient(options, session, timeProvider, loggerFactory.CreateLogger<AgentApiClient>());
        Log.Registering(logger, session.HostNames.Count, options.Server!);
        try
        {
            await client.RegisterAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            Log.StoppedBeforeRegistering(logger);
            return;
        }

        var queue = new ReportQueue(options.MaxPendingLogChars, timeProvider);
        using var http = new HttpExecutor(timeProvider, loggerFactory.CreateLogger<HttpExecutor>());
        using var scheduler = options.Simulate > 0 ? null : new AssignmentScheduler(options, queue,
            new ScriptExecutor(options, journal, timeProvider, loggerFactory.CreateLogger<ScriptExecutor>()),
            new FileTransferExecutor(client), http, timeProvider, loggerFactory.CreateLogger<AssignmentScheduler>());
        IAssignmentWorkload workload = scheduler is null ? new SimulatedFleet(options, queue, timeProvider, loggerFactory.CreateLogger<SimulatedFleet>()) : scheduler;
        await RunLoopsAsync(client, queue, workload, scheduler, cancellationToken, kill, abandon).ConfigureAwait(false);
    }

    private async Task RunLoopsAsync(AgentApiClient client, ReportQueue queue, IAssignmentWorkload workload, AssignmentScheduler? scheduler,
        CancellationToken cancellationToken, CancellationToken kill, CancellationToken abandon)
    {
        using var stop = new CancellationTokenSource();
        var heartbeat = new HeartbeatLoop(client, session, timeProvider, loggerFactory.CreateLogger<HeartbeatLoop>());
        client.Registered += heartbeat.Wake;
        var sender = new ReportSender(queue, client, options, timeProvider, loggerFactory.CreateLogger<ReportSender>());
        var polls = workload.PollGroups.Select((_, group) => new PollLoop(group, workload, client, options, timeProvider, loggerFactory.CreateLogger<PollLoop>())).ToArray();
        var loops = new List<Task> { heartbeat.RunAsync(stop.Token), sender.RunAsync(stop.Token) };
        loops.AddRange(polls.Select(p => p.RunAsync(stop.Token)));
        var loopEnded = Task.WhenAny(loops);
        Log.Running(logger, session.SessionId, session.HostNames.Count, options.Simulate > 0 ? 0 : options.Capacity);

        var drainRequested = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var registration = cancellationToken.Register(() => drainRequested.TrySetResult());
        try
        {
            await WhileLoopsRunAsync(drainRequested.Task, loopEnded).ConfigureAwait(false);
            Log.Draining(logger, workload.HeldCount);
            // Polls stop asking for work before the heartbeat says so, so a server that sees draining sees no new ask.
            var pollsDrained = Task.WhenAll(polls.Select(p => p.DrainAsync()));
            heartbeat.StartDraining();
            await WhileLoopsRunAsync(pollsDrained, loopEnded).ConfigureAwait(false);
            using var killing = kill.Register(() =>
            {
                var killed = scheduler?.AbortAll() ?? 0;
                Log.KillingOnStop(logger, killed);
            });
            using var idleOrAbandoned = CancellationTokenSource.CreateLinkedTokenSource(stop.Token, abandon);
            try
            {
                await WhileLoopsRunAsync(workload.WhenIdleAsync(idleOrAbandoned.Token), loopEnded).ConfigureAwait(false);
                Log.Drained(logger);
            }
            catch (OperationCanceledException) when (abandon.IsCancellationRequested)
            {
                Log.Abandoned(logger, workload.HeldCount);
            }
        }
        finally
        {
            client.Registered -= heartbeat.Wake;
            await stop.CancelAsync().ConfigureAwait(false);
            await Task.WhenAll(loops).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }
    }

    /// <summary>Awaits <paramref name="phase"/>, unless a loop ends first: loops end only when stopped, so that is a bug
    /// worth stopping the agent for (a restarted agent kills what is left and the server reassigns).</summary>
    private async Task WhileLoopsRunAsync(Task phase, Task<Task> loopEnded)
    {
        if (await Task.WhenAny(phase, loopEnded).ConfigureAwait(false) == loopEnded)
        {
            var ended = await loopEnded.ConfigureAwait(false);
            Log.LoopEnded(logger, ended.Exception?.GetBaseException());
            await ended.ConfigureAwait(false);
            throw new InvalidOperationException("An agent loop ended on its own.");
        }
        await phase.ConfigureAwait(false);
    }
}
