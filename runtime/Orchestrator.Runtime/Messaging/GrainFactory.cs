using System.Globalization;
using Orchestrator.Runtime.Grains;

namespace Orchestrator.Runtime.Messaging;

/// <summary>Creates grain references bound to a call sink (a client or the current turn).</summary>
internal sealed class GrainFactory(IGrainCallSink sink) : IGrainFactory
{
    public TGrain GetGrain<TGrain>(string key) where TGrain : IGrainWithStringKey => Create<TGrain>(key);

    public TGrain GetGrain<TGrain>(Guid key) where TGrain : IGrainWithGuidKey => Create<TGrain>(key.ToString("D"));

    public TGrain GetGrain<TGrain>(long key) where TGrain : IGrainWithIntegerKey => Create<TGrain>(key.ToString(CultureInfo.InvariantCulture));

    private TGrain Create<TGrain>(string key)
    {
        ArgumentNullException.ThrowIfNull(key);
        var grainClass = sink.Registry.ForInterface(typeof(TGrain));
        return GrainProxy.Create<TGrain>(sink, new GrainId(grainClass.Name, key));
    }
}
