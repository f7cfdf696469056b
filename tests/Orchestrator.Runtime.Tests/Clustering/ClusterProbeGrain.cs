using Orleans;

namespace Orchestrator.Runtime.Tests.Clustering;

/// <summary>Answers with the silo its activation lives on, so a test sees where a call was served.</summary>
public interface IClusterProbeGrain : IGrainWithStringKey
{
    Task<string> WhereAmI();
}

public sealed class ClusterProbeGrain : Grain, IClusterProbeGrain
{
    public Task<string> WhereAmI() => Task.FromResult(RuntimeIdentity);
}
