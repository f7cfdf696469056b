namespace Orchestrator.Runtime.Durable;

/// <summary>The Orleans <c>RequestContext</c> entries durable delivery uses.</summary>
public static class DurableRequestContext
{
    /// <summary>
    /// The dedupe key of an outbox delivery. The receiving grain reads and removes it before the method runs, so it never
    /// travels further down the call chain.
    /// </summary>
    public const string DedupeKey = "orch.dedupe";
}
