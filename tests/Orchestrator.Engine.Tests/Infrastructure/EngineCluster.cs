using Microsoft.Extensions.DependencyInjection;
using Orleans;
using Orleans.Runtime;
using Orleans.TestingHost;
using Orchestrator.Runtime.Tests.Infrastructure;

namespace Orchestrator.Engine.Tests.Infrastructure;

/// <summary>
/// The silos of an <see cref="EngineHarness"/>: an Orleans <see cref="InProcessTestCluster"/> (the test cluster's own
/// membership, fast failure detection) whose silos host the orchestrator as the silo process does
/// (<c>SiloComposition.AddOrchestrator</c>) on the test's database and clock. Kill, stop and start silos; find the silo
/// holding a grain.
/// </summary>
public sealed class EngineCluster(InProcessTestCluster cluster) : IAsyncDisposable
{
    public InProcessTestCluster Inner => cluster;

    public IClusterClient Client => cluster.Client;

    /// <summary>Every silo started, running or not, in start order.</summary>
    public IReadOnlyList<InProcessSiloHandle> Silos => cluster.Silos;

    /// <summary>The silos still running.</summary>
    public IReadOnlyList<InProcessSiloHandle> RunningSilos => [.. cluster.Silos.Where(s => s.IsActive)];

    /// <summary>Kills the silo (no graceful stop: its activations vanish) and, if others remain, waits until they declare it dead.</summary>
    public async Task KillSiloAsync(InProcessSiloHandle silo)
    {
        ArgumentNullException.ThrowIfNull(silo);
        await cluster.KillSiloAsync(silo);
        if (RunningSilos.Count > 0)
        {
            await WaitDeclaredDeadAsync(silo.SiloAddress);
            // Every survivor, not just the one the management grain asks: each drops the dead silo's grains from its
            // directory when it learns, and until then a call routed there fails.
            await Eventually.Until(
                () => Task.FromResult(RunningSilos.All(s => s.ServiceProvider.GetRequiredService<IClusterMembershipService>().CurrentSnapshot.GetSiloStatus(silo.SiloAddress) == SiloStatus.Dead)),
                dead => dead, TimeSpan.FromSeconds(60), $"every running silo to see {silo.SiloAddress} dead");
        }
    }

    /// <summary>Stops the silo gracefully (its activations deactivate, it leaves the membership).</summary>
    public Task StopSiloAsync(InProcessSiloHandle silo) => cluster.StopSiloAsync(silo);

    /// <summary>Starts one more silo (a restarted silo joins under a new address, as a restarted pod does).</summary>
    public Task<InProcessSiloHandle> StartSiloAsync() => cluster.StartAdditionalSiloAsync();

    /// <summary>Waits until the membership agrees on the running silos.</summary>
    public async Task WaitForStableAsync(TimeSpan timeout)
    {
        var running = RunningSilos.Select(s => s.SiloAddress).ToHashSet();
        var management = Client.GetGrain<IManagementGrain>(0);
        await Eventually.Until(() => ActiveSilosAsync(management), active => active.SetEquals(running), timeout,
            $"the membership to hold exactly the {running.Count} running silo(s)");
    }

    /// <summary>The silo where <paramref name="grain"/> is active now; null when it is not active anywhere.</summary>
    public async Task<InProcessSiloHandle?> SiloHoldingAsync(IAddressable grain)
    {
        var address = await Client.GetGrain<IManagementGrain>(0).GetActivationAddress(grain);
        return address is null ? null : RunningSilos.FirstOrDefault(s => s.SiloAddress.Equals(address));
    }

    private async Task WaitDeclaredDeadAsync(SiloAddress address)
    {
        var management = Client.GetGrain<IManagementGrain>(0);
        await Eventually.Until(() => ActiveSilosAsync(management), active => active.Count > 0 && !active.Contains(address), TimeSpan.FromSeconds(60),
            $"silo {address} to be declared dead");
    }

    /// <summary>The active silos; none while the client has no gateway to ask (its gateway's silo was just killed).</summary>
    private static async Task<HashSet<SiloAddress>> ActiveSilosAsync(IManagementGrain management)
    {
        try
        {
            return (await management.GetHosts(onlyActive: true)).Keys.ToHashSet();
        }
        catch (Exception ex) when (ex is SiloUnavailableException or OrleansException or TimeoutException)
        {
            return [];
        }
    }

    public async ValueTask DisposeAsync() => await cluster.DisposeAsync();
}
