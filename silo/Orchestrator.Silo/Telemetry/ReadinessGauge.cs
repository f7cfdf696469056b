using Orchestrator.Runtime.Telemetry;

namespace Orchestrator.Silo.Telemetry;

/// <summary>
/// <c>orchestrator_silo_ready</c>: 1 while this silo is active in Orleans' membership and not stopping (what
/// <c>/readyz</c> answers 200 for), else 0. The alert "no silo ready" sums it over the cluster: a silo process whose
/// web host answers scrapes is not necessarily one that takes grain activations.
/// </summary>
public sealed class ReadinessGauge(IServiceProvider services, IHostApplicationLifetime lifetime) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        // The meter keeps the gauge; nothing else needs it.
        _ = OrchestratorTelemetry.Meter.CreateObservableGauge("orchestrator.silo.ready", Ready, "{silo}",
            "1 while this silo is active in the cluster's membership and not stopping (as /readyz answers 200), else 0.");
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    private int Ready()
    {
        if (lifetime.ApplicationStopping.IsCancellationRequested
            || services.GetService<IClusterMembershipService>() is not { } membership || services.GetService<ILocalSiloDetails>() is not { } local)
        {
            return 0;
        }
        return membership.CurrentSnapshot.GetSiloStatus(local.SiloAddress) == SiloStatus.Active ? 1 : 0;
    }
}
