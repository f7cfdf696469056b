namespace Orchestrator.Runtime.Audit;

/// <summary>
/// Which audit entries to read, newest first: each filter given narrows the result (all of them hold).
/// </summary>
/// <param name="Who">Exactly this principal.</param>
/// <param name="ObjectKind">Objects of this kind.</param>
/// <param name="ObjectId">With <paramref name="ObjectKind"/>: this object, and its parts (<c>ti-1</c> also matches <c>ti-1/steps/2</c>).</param>
/// <param name="Action">Exactly this action.</param>
/// <param name="From">At or after this time.</param>
/// <param name="To">Before this time.</param>
/// <param name="BeforeId">Only entries older than this id (the last id of the previous page).</param>
/// <param name="Limit">At most this many entries.</param>
public sealed record AuditQuery(
    string? Who = null, string? ObjectKind = null, string? ObjectId = null, string? Action = null,
    DateTimeOffset? From = null, DateTimeOffset? To = null, long? BeforeId = null, int Limit = 100);
