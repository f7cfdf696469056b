using Orchestrator.Api.Hosting;

namespace Orchestrator.Api.Hooks;

/// <summary>Which parked event to queue again (<c>revision</c>); without it, every parked one.</summary>
public sealed record HookReplayBody
{
    public long? Revision { get; init; }
}

internal static class HookRequests
{
    public static readonly DescribedBody Replay = new(typeof(HookReplayBody), false, "Optional: the revision of one parked event.", ["application/json"], """{"revision": 3}""");
}
