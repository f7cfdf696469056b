using Orchestrator.Api.Hosting;

namespace Orchestrator.Api.Instances;

/// <summary>
/// The optional body of a control action as the OpenAPI document shows it: <c>reason</c> (recorded with who and when)
/// for cancel, skip, continue, approve and reject; <c>set</c> (<c>failed</c>, <c>not-started</c>, <c>all</c>) for retry.
/// </summary>
public sealed record ControlBody
{
    /// <summary>Why: recorded with who and when (at most 1,000 characters).</summary>
    public string? Reason { get; init; }

    /// <summary>For retry: which targets run again, <c>failed</c> (default), <c>not-started</c> or <c>all</c>.</summary>
    public string? Set { get; init; }
}

internal static class InstanceRequests
{
    public static readonly DescribedBody Cancel = new(typeof(ControlBody), false, "Optional: the reason, recorded with the action (no set).",
        ["application/json"], """{"reason": "wrong version"}""");

    public static readonly DescribedBody StepAction = new(typeof(ControlBody), false,
        "Optional: the reason for skip, continue, approve and reject; the attempt set (failed, not-started, all) for retry.",
        ["application/json"], """{"reason": "checked the canary's dashboards"}""");
}
