using System.Diagnostics;
using Orchestrator.Runtime.Durable;
using Orleans;

namespace Orchestrator.Runtime.Tests.Durable.Grains;

/// <summary>A test grain whose turn runs inside a span of its own, as a turn called from a traced request does.</summary>
public interface ITracedSenderGrain : IGrainWithStringKey
{
    /// <summary>Inside a span of <see cref="TracedSenderGrain.SourceName"/>: sends an inbox a durable message and a notice.</summary>
    Task<string> SendInsideSpan(string inbox, int value);
}

public sealed class TracedSenderState
{
    public int Sent { get; set; }
}

[GrainType("test-traced-sender")]
public sealed class TracedSenderGrain : DurableGrain<TracedSenderState>, ITracedSenderGrain
{
    public const string SourceName = "Orchestrator.Tests.TracedTurn";

    private static readonly ActivitySource Source = new(SourceName);

    public async Task<string> SendInsideSpan(string inbox, int value)
    {
        using var span = Source.StartActivity("turn of a traced request") ?? throw new InvalidOperationException("the test listens to the span source");
        State.Sent++;
        await Send<IInboxGrain>(inbox).Receive(GrainKey, value);
        var receiver = GrainFactory.GetGrain<IInboxGrain>(inbox);
        var from = GrainKey;
        NotifyAfterWrite(() => receiver.Heard(from, value));
        return span.TraceId.ToString();
    }
}
