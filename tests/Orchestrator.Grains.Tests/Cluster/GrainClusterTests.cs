namespace Orchestrator.Grains.Tests.Cluster;

/// <summary>A test class whose tests each get a fresh <see cref="GrainCluster"/> of <see cref="Silos"/> silos.</summary>
public abstract class GrainClusterTests : IAsyncLifetime
{
    private GrainCluster? _cluster;

    protected virtual int Silos => 1;

    /// <summary>Adds to each silo's services (a grain call filter, say).</summary>
    protected virtual void ConfigureSilo(Microsoft.Extensions.DependencyInjection.IServiceCollection services)
    {
    }

    protected GrainCluster Cluster => _cluster!;

    public async Task InitializeAsync() => _cluster = await GrainCluster.StartAsync(ConfigureSilo, Silos);

    public async Task DisposeAsync()
    {
        if (_cluster is not null)
        {
            await _cluster.DisposeAsync();
        }
    }
}
