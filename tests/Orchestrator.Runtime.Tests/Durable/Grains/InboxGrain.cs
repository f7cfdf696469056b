using Orchestrator.Runtime.Durable;
using Orchestrator.Runtime.Tests.Durable.Infrastructure;
using Orleans;
using Orleans.Concurrency;
using Orleans.Runtime;

namespace Orchestrator.Runtime.Tests.Durable.Grains;

/// <summary>A test grain that records every message it applies, in order; some methods wait, fail or ping back.</summary>
public interface IInboxGrain : IGrainWithStringKey, IDeadLetterObserver
{
    Task Receive(string from, int value);

    /// <summary>Waits on the probe's "inbox" gate, then receives.</summary>
    Task Gated(string from, int value);

    /// <summary>Throws while the probe says "inbox" should fail, then receives.</summary>
    Task Fail(string from, int value);

    /// <summary>Receives without dedupe: the method is marked as idempotent by the domain.</summary>
    [DomainIdempotent]
    Task Counted(string from, int value);

    /// <summary>Not a turn: counts <c>heard:{from}:{value}</c> in the probe, failing while the probe says "heard" should fail.</summary>
    [OutsideTurn]
    Task Heard(string from, int value);

    /// <summary>Receives, reads the sender directly (a call back into it), and pings it back while value > 0.</summary>
    Task Ping(string from, int value);

    [ReadOnly]
    Task<int> Count();

    [ReadOnly]
    Task<InboxView> Get();

    [ReadOnly]
    Task<SiloAddress> Where();
}

[GenerateSerializer, Immutable]
public sealed record InboxView([property: Id(0)] List<string> Received, [property: Id(1)] List<string> Notices);

public sealed class InboxState
{
    public List<string> Received { get; set; } = [];

    public List<string> Notices { get; set; } = [];
}

[GrainType("test-inbox")]
public sealed class InboxGrain(TestProbe probe) : DurableGrain<InboxState>, IInboxGrain
{
    public Task Receive(string from, int value)
    {
        State.Received.Add($"{from}:{value}");
        return Task.CompletedTask;
    }

    public async Task Gated(string from, int value)
    {
        probe.Increment("gated-entered");
        await probe.Gate("inbox");
        await Receive(from, value);
    }

    public Task Fail(string from, int value) =>
        probe.ShouldFail("inbox") ? throw new InvalidOperationException($"inbox {GrainKey} refuses {value} on purpose") : Receive(from, value);

    public Task Counted(string from, int value) => Receive(from, value);

    public Task Heard(string from, int value)
    {
        if (probe.ShouldFail("heard"))
        {
            throw new InvalidOperationException($"inbox {GrainKey} refuses the notice {value} on purpose");
        }
        probe.Increment($"heard:{from}:{value}");
        return Task.CompletedTask;
    }

    public async Task Ping(string from, int value)
    {
        await Receive(from, value);
        if (value > 0)
        {
            // A direct call back into the sender while its delivery to us is in flight: it must not deadlock.
            await GrainFactory.GetGrain<IInboxGrain>(from).Count();
            await Send<IInboxGrain>(from).Ping(GrainKey, value - 1);
        }
    }

    public Task<int> Count() => Task.FromResult(State.Received.Count);

    public Task<InboxView> Get() => Task.FromResult(new InboxView([.. State.Received], [.. State.Notices]));

    public Task<SiloAddress> Where() => Task.FromResult(GrainContext.Address.SiloAddress!);

    public Task OnDeadLetter(DeadLetterNotice notice)
    {
        ArgumentNullException.ThrowIfNull(notice);
        State.Notices.Add($"{notice.Method}#{notice.MessageId}:{notice.Attempts}:{notice.Argument<string>()}:{notice.Arguments.Count}");
        return Task.CompletedTask;
    }
}
