using System.Collections.Concurrent;
using Microsoft.Extensions.DependencyInjection;
using Orchestrator.GrainInterfaces;
using Orchestrator.Grains.Hosts;
using Orchestrator.Plans.Model;
using Orchestrator.Plans.Parsing;
using Orchestrator.Runtime.Indexes;
using Orchestrator.Runtime.Logs;
using Orchestrator.Runtime.Tests.Durable.Infrastructure;
using Orchestrator.Runtime.Tests.Infrastructure;
using Orleans;
using Orleans.Runtime;
using Orleans.Serialization;

namespace Orchestrator.Grains.Tests.Cluster;

/// <summary>
/// The domain grains in an in-process Orleans cluster (<see cref="DurableTestCluster"/>: in-memory storage stand-in with
/// index rows, in-memory reminders) on a manual orchestrator clock. The test plays the API (plan and instance grain
/// commands) and the agent: it reads the <c>assign</c> index rows of a host, as the agent gateway does, and calls the
/// host and target grain methods the gateway calls (<see cref="IHostGrain.Register"/>, <see cref="IHostGrain.Heartbeat"/>,
/// <see cref="IHostTargetGrain.OnAgentEvent"/>).
/// </summary>
public sealed class GrainCluster : IAsyncDisposable
{
    /// <summary>How long a condition may take in real time (the silo runs in this process, on 2 shared cores).</summary>
    public static readonly TimeSpan Deadline = TimeSpan.FromSeconds(30);

    private readonly ConcurrentDictionary<string, string> _sessions = new(StringComparer.Ordinal); // hosts register in parallel
    private int _requests;

    private GrainCluster(DurableTestCluster durable, ManualTimeProvider clock, RecordingLogStore logs)
    {
        Durable = durable;
        Clock = clock;
        Logs = logs;
    }

    public DurableTestCluster Durable { get; }

    public ManualTimeProvider Clock { get; }

    /// <summary>The silos' log store (records the streams deleted).</summary>
    public RecordingLogStore Logs { get; }

    public IClusterClient Client => Durable.Client;

    public InMemoryGrainStorage Storage => Durable.Storage;

    /// <summary>Starts the cluster; <paramref name="services"/> adds to each silo's services (a hook sender, say).</summary>
    public static async Task<GrainCluster> StartAsync(Action<IServiceCollection>? services = null, int silos = 1)
    {
        var clock = new ManualTimeProvider(new DateTimeOffset(2026, 12, 1, 8, 0, 0, TimeSpan.Zero));
        var logs = new RecordingLogStore();
        var durable = await DurableTestCluster.StartAsync(new DurableClusterOptions
        {
            Silos = silos,
            Clock = clock,
            Silo = silo =>
            {
                silo.Services.AddSerializer(s => s.AddOrchestratorSerialization());
                silo.Services.AddSingleton<ILogStore>(logs);
                silo.Services.AddHostLiveness();
                services?.Invoke(silo.Services);
            },
            Client = client => client.Services.AddSerializer(s => s.AddOrchestratorSerialization()),
        });
        return new GrainCluster(durable, clock, logs);
    }

    public static PlanDefinition Plan(string yaml)
    {
        var parsed = PlanParser.ParseYaml(yaml);
        Assert.True(parsed.Ok, string.Join("; ", parsed.Errors.Select(e => $"{e.Path}: {e.Message}")));
        return parsed.Plan!;
    }

    public string NewRequestId() => $"req-{Interlocked.Increment(ref _requests)}";

    /// <summary>An agent session on <paramref name="host"/>, as the gateway registers it.</summary>
    public async Task RegisterHostAsync(string host, IReadOnlyDictionary<string, string>? labels = null)
    {
        var session = $"session-{host}";
        await Client.GetGrain<IHostGrain>(host).Register(new HostRegistration(session, labels ?? new Dictionary<string, string>(), 4, "test"));
        _sessions[host] = session;
    }

    /// <summary>Saves <paramref name="yaml"/> as plan <paramref name="planId"/> and runs it as <paramref name="instanceId"/>; both commands answered 200.</summary>
    public async Task<ITaskInstanceGrain> RunAsync(string planId, string yaml, string instanceId)
    {
        var plan = Client.GetGrain<IPlanGrain>(planId);
        var save = NewRequestId();
        await plan.Save(new SavePlan(save, Plan(yaml), null, "test"));
        Assert.Equal(200, (await plan.GetRequestResultAsync(save))?.Code);
        var run = NewRequestId();
        await plan.Run(new RunPlan(run, instanceId, 0, new Dictionary<string, string>(), "test"));
        var result = await plan.GetRequestResultAsync(run);
        Assert.Equal(200, result?.Code);
        Assert.Equal(instanceId, result!.Value);
        return Client.GetGrain<ITaskInstanceGrain>(instanceId);
    }

    public Task<TaskInstanceView?> WaitInstanceAsync(string instanceId, Func<TaskInstanceView, bool> done, string what) =>
        Eventually.Until(() => Client.GetGrain<ITaskInstanceGrain>(instanceId).GetAsync().AsTask(), v => v is not null && done(v), Deadline, what);

    /// <summary>The host's open assignments, as the agent gateway reads them (committed index rows).</summary>
    public List<IndexRow> Assignments(string host) =>
        [.. Storage.Rows(IndexKinds.Assignment).Where(r => r.Partition == host)];

    public async Task<IndexRow> WaitAssignmentAsync(string host, Func<IndexRow, bool> which, string what)
    {
        var rows = await Eventually.Until(() => Task.FromResult(Assignments(host)), rows => rows.Any(which), Deadline, what);
        return rows.First(which);
    }

    /// <summary>The agent on the assignment's host reports an event about it.</summary>
    public Task AgentAsync(IndexRow assignment, AgentEventType type, AgentOutcome? outcome = null, int? exitCode = null)
    {
        Assert.True(GrainKeys.TryParseAssignment(assignment.Key, out var target, out _), assignment.Key);
        var now = Clock.GetUtcNow();
        return Client.GetGrain<IHostTargetGrain>(target).OnAgentEvent(new TargetAgentEvent(
            assignment.Key, _sessions[assignment.Partition], type, now, null, null, outcome, exitCode, null, null, null,
            type == AgentEventType.Finished ? now : null));
    }

    /// <summary>Starts and finishes the assignment (exit code <paramref name="exitCode"/>).</summary>
    public async Task RunAssignmentAsync(IndexRow assignment, int exitCode)
    {
        await AgentAsync(assignment, AgentEventType.Started);
        await AgentAsync(assignment, AgentEventType.Finished, exitCode == 0 ? AgentOutcome.Succeeded : AgentOutcome.Failed, exitCode);
    }

    /// <summary>
    /// Moves the clock by <paramref name="by"/> in steps of <paramref name="step"/>, every agent heartbeating before each
    /// (so hosts stay online). With <paramref name="tolerant"/>, a heartbeat that fails (its host grain's silo just died)
    /// is left out, as an agent's would be.
    /// </summary>
    public async Task AdvanceAsync(TimeSpan by, TimeSpan step, bool tolerant = false)
    {
        for (var moved = TimeSpan.Zero; moved < by; moved += step)
        {
            foreach (var (host, session) in _sessions)
            {
                try
                {
                    await Client.GetGrain<IHostGrain>(host).Heartbeat(session, false);
                }
                catch (Exception) when (tolerant)
                {
                    // The agent tries again at its next heartbeat.
                }
            }
            Clock.Advance(step < by - moved ? step : by - moved);
        }
    }

    /// <summary>The silo holding <paramref name="grain"/>'s activation (activating it if needed).</summary>
    public async Task<SiloAddress> SiloOf(IAddressable grain) =>
        await Client.GetGrain<IManagementGrain>(0).GetActivationAddress(grain) ?? throw new InvalidOperationException($"{grain.GetGrainId()} is not active.");

    /// <summary>The Orleans reminders registered for a grain (the in-memory reminder table of the silos).</summary>
    public async Task<IReadOnlyList<string>> RemindersOf(IAddressable grain)
    {
        var table = Durable.Cluster.GetSiloServiceProvider().GetRequiredService<IReminderTable>();
        return [.. (await table.ReadRows(grain.GetGrainId())).Reminders.Select(r => r.ReminderName)];
    }

    public async ValueTask DisposeAsync() => await Durable.DisposeAsync();
}
