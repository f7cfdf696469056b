namespace Orchestrator.Runtime.Grains;

/// <summary>Creates grain references. Inside a grain, calls are sent when the turn commits; in a client, at once.</summary>
public interface IGrainFactory
{
    TGrain GetGrain<TGrain>(string key) where TGrain : IGrainWithStringKey;

    TGrain GetGrain<TGrain>(Guid key) where TGrain : IGrainWithGuidKey;

    TGrain GetGrain<TGrain>(long key) where TGrain : IGrainWithIntegerKey;
}
