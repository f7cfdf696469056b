using Microsoft.Extensions.DependencyInjection;
using Orchestrator.Containers.Clusters;
using Orchestrator.GrainInterfaces;
using Orchestrator.Grains.Common;
using Orchestrator.Grains.Containers;
using Orchestrator.Runtime.Indexes;

namespace Orchestrator.Grains.Clusters;

/// <summary>State of a registered cluster: its definition (credentials as file references only), who set it when, and its health.</summary>
public sealed class ClusterState
{
    public ClusterSpec? Spec { get; set; }

    public DateTimeOffset CreatedAt { get; set; }

    public DateTimeOffset UpdatedAt { get; set; }

    public string UpdatedBy { get; set; } = "";

    /// <summary>What the probes found; null until the first probe of this definition.</summary>
    public ClusterHealthView? Health { get; set; }
}

/// <summary>
/// A registered Kubernetes cluster (see <see cref="IClusterGrain"/>). Its index row, written with its state, is what the
/// cluster list and balanced dispatch read. While registered, a grain timer probes the API server every
/// <see cref="ClusterHealthOptions.ProbeInterval"/> (<see cref="ClusterProbe"/>) and records the health that
/// <see cref="ClusterHealth.Observe"/> makes of it, in its state and its row; a reminder brings the grain back (and its
/// probes with it) after its silo died.
/// </summary>
[GrainType("cluster")]
public sealed class ClusterGrain : Orchestrator.Runtime.Durable.DurableGrain<ClusterState>, IClusterGrain, IRemindable
{
    private const string ProbeReminder = "probe";

    /// <summary>Orleans' shortest reminder period: the reminder only re-activates; the timer probes.</summary>
    private static readonly TimeSpan ReminderPeriod = TimeSpan.FromMinutes(1);

    private IGrainTimer? _probes;

    private ClusterClients Clients => ServiceProvider.GetRequiredService<ClusterClients>();

    public async Task<bool> Put(PutCluster command)
    {
        ArgumentNullException.ThrowIfNull(command);
        var created = State.Spec is null;
        var now = Clock.GetUtcNow();
        if (created)
        {
            State.CreatedAt = now;
        }
        if (State.Spec is not { } old || old.ApiServer != command.Spec.ApiServer || old.Credentials != command.Spec.Credentials)
        {
            State.Health = null; // another server, or other credentials: what was found of the old one says nothing
        }

        State.Spec = command.Spec with { Labels = new Dictionary<string, string>(command.Spec.Labels, StringComparer.Ordinal) };
        State.UpdatedAt = now;
        State.UpdatedBy = command.By;
        WriteIndex(new IndexRow(ClusterIndex.Kind, "", GrainKey, 0, DomainJson.Serialize(View())));
        await this.RegisterOrUpdateReminder(ProbeReminder, ReminderPeriod, ReminderPeriod);
        AfterWrite(() => StartProbing(restart: true));
        return created;
    }

    public async Task<bool> Delete(string by)
    {
        if (State.Spec is null)
        {
            return false;
        }

        State.Spec = null;
        State.Health = null;
        State.UpdatedAt = Clock.GetUtcNow();
        State.UpdatedBy = by;
        DeleteIndex(ClusterIndex.Kind, "", GrainKey);
        StopProbing();
        if (await this.GetReminder(ProbeReminder) is { } reminder)
        {
            await this.UnregisterReminder(reminder);
        }
        return true;
    }

    public ValueTask<ClusterView?> GetAsync() => ValueTask.FromResult(State.Spec is null ? null : View());

    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        if (State.Spec is not null)
        {
            StartProbing(restart: false);
        }
        return Task.CompletedTask;
    }

    public async Task ReceiveReminder(string reminderName, TickStatus status)
    {
        if (State.Spec is null)
        {
            if (await this.GetReminder(reminderName) is { } reminder)
            {
                await this.UnregisterReminder(reminder);
            }
            return;
        }
        StartProbing(restart: false);
    }

    private ClusterView View() => new(GrainKey, State.Spec!, State.CreatedAt, State.UpdatedAt, State.UpdatedBy) { Health = State.Health };

    /// <summary>Probes now and then every interval (a timer that keeps the grain active while the cluster is registered).</summary>
    private void StartProbing(bool restart)
    {
        if (_probes is not null && !restart)
        {
            return;
        }
        StopProbing();
        var interval = Clients.HealthOptions.ProbeInterval;
        _probes = this.RegisterGrainTimer(ProbeAsync, new GrainTimerCreationOptions(TimeSpan.Zero, interval) { KeepAlive = true, Interleave = true });
    }

    private void StopProbing()
    {
        _probes?.Dispose();
        _probes = null;
    }

    private async Task ProbeAsync(CancellationToken cancellationToken)
    {
        if (State.Spec is null)
        {
            return;
        }
        var view = View();
        var clients = Clients;
        ClusterProbeResult result;
        try
        {
            result = await ClusterProbe.ProbeAsync(clients.Client(view), clients.HealthOptions, clients.Time, cancellationToken);
        }
        catch (Exception e) when (!cancellationToken.IsCancellationRequested)
        {
            result = new ClusterProbeResult(false, null, $"no client for the cluster: {e.Message}", clients.Time.GetUtcNow(), TimeSpan.Zero);
        }
        var health = Health(State.Health).Observe(result, clients.HealthOptions);
        // While a turn of the grain is mid-await (a Put), this one waits for it and runs after it.
        await TurnAsync(() =>
        {
            if (State.Spec is not null && State.Spec == view.Spec)
            {
                State.Health = new ClusterHealthView(health.Status.ToString(), health.ConsecutiveFailures, health.LastError, health.LastCheckedAt, health.LastHealthyAt, health.ServerVersion);
                WriteIndex(new IndexRow(ClusterIndex.Kind, "", GrainKey, 0, DomainJson.Serialize(View())));
            }
            return Task.CompletedTask;
        });
    }

    private static ClusterHealth Health(ClusterHealthView? view) =>
        view is null || !Enum.TryParse<ClusterHealthStatus>(view.Status, out var status)
            ? ClusterHealth.Unknown
            : new ClusterHealth(status, view.ConsecutiveFailures, view.LastError, view.LastCheckedAt, view.LastHealthyAt, view.ServerVersion);
}
