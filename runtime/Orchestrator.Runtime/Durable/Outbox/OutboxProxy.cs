using System.Reflection;
using Orleans.Runtime;

namespace Orchestrator.Runtime.Durable;

/// <summary>Records the calls made through a <see cref="DurableGrain{TState}.Send{TGrain}(string, string?)"/> reference.</summary>
internal interface IOutboxRecorder
{
    void Record(GrainId target, Type grainInterface, MethodInfo method, object?[]? args, string? dedupeKey);
}

/// <summary>
/// The object behind a reference returned by <c>Send</c>: each call becomes an outbox entry of the current turn and
/// returns a completed task at once; the message is delivered after the write that holds the turn.
/// </summary>
public class OutboxProxy : DispatchProxy
{
    private IOutboxRecorder _recorder = null!;
    private GrainId _target;
    private Type _interface = null!;
    private string? _dedupeKey;

    internal static TGrain Create<TGrain>(IOutboxRecorder recorder, GrainId target, string? dedupeKey)
    {
        var proxy = DispatchProxy.Create(typeof(TGrain), typeof(OutboxProxy));
        var outbox = (OutboxProxy)proxy;
        outbox._recorder = recorder;
        outbox._target = target;
        outbox._interface = typeof(TGrain);
        outbox._dedupeKey = dedupeKey;
        return (TGrain)proxy;
    }

    protected override object? Invoke(MethodInfo? targetMethod, object?[]? args)
    {
        ArgumentNullException.ThrowIfNull(targetMethod);
        _recorder.Record(_target, _interface, targetMethod, args, _dedupeKey);
        return Task.CompletedTask;
    }
}
