using System.Collections.Concurrent;
using Orchestrator.Runtime.Durable;
using Orleans;
using Orleans.Runtime;

namespace Orchestrator.Runtime.Tests.Durable.Infrastructure;

/// <summary>
/// What the test grains of one cluster share with their test: gates a grain method waits on, failures to inject, and
/// counters. Registered as a singleton in every silo of the cluster (the silos run in the test's process).
/// </summary>
public sealed class TestProbe
{
    private readonly ConcurrentDictionary<string, TaskCompletionSource> _gates = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, int> _counters = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, int> _failures = new(StringComparer.Ordinal);

    /// <summary>Completes when the gate is open (at once if it was never closed); throws if the gate is failed.</summary>
    public Task Gate(string name) => _gates.TryGetValue(name, out var gate) ? gate.Task : Task.CompletedTask;

    public void Close(string name) => _gates[name] = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

    public void Open(string name)
    {
        if (_gates.TryRemove(name, out var gate))
        {
            gate.TrySetResult();
        }
    }

    /// <summary>Ends what waits on the gate with an exception (a turn that never completes, as on a dead silo).</summary>
    public void Fail(string name)
    {
        if (_gates.TryRemove(name, out var gate))
        {
            gate.TrySetException(new InvalidOperationException($"Gate '{name}' failed by the test."));
        }
    }

    /// <summary>Makes the next <paramref name="times"/> checks of <paramref name="name"/> fail (-1: always).</summary>
    public void FailNext(string name, int times) => _failures[name] = times;

    /// <summary>True if this check should fail; counts down the failures left.</summary>
    public bool ShouldFail(string name)
    {
        while (_failures.TryGetValue(name, out var left) && left != 0)
        {
            if (_failures.TryUpdate(name, left < 0 ? left : left - 1, left))
            {
                return true;
            }
        }
        return false;
    }

    public int Increment(string counter) => _counters.AddOrUpdate(counter, 1, static (_, n) => n + 1);

    public int Count(string counter) => _counters.GetValueOrDefault(counter);
}

/// <summary>
/// Counts, per method, the calls that arrive with a durable dedupe key, before the grain sees them: how many deliveries
/// (first sends and re-sends) a receiver got, whatever it then applied; and, per grain, the sweeper's wake calls.
/// </summary>
public sealed class DeliveryCounter(TestProbe probe) : IIncomingGrainCallFilter
{
    public Task Invoke(IIncomingGrainCallContext context)
    {
        if (RequestContext.Get(DurableRequestContext.DedupeKey) is string)
        {
            probe.Increment("delivered:" + context.MethodName);
        }
        if (context.InterfaceMethod?.DeclaringType == typeof(IDurableGrain))
        {
            probe.Increment("woken:" + context.TargetId);
        }
        return context.Invoke();
    }
}
