namespace Orchestrator.Client;

/// <summary>
/// Filters of the audit log (all optional, combined with and): <see cref="Who"/> a principal; <see cref="Object"/> a
/// kind (<c>instance</c>) or <c>kind:id</c> (an id also matches its parts: <c>instance:ti-1</c> its steps);
/// <see cref="Action"/> an action name (<c>instance.cancel</c>); <see cref="From"/> inclusive, <see cref="To"/> exclusive.
/// </summary>
public sealed record AuditFilter(string? Who = null, string? Object = null, string? Action = null, DateTimeOffset? From = null, DateTimeOffset? To = null);

/// <summary>
/// One recorded state-changing request: when, who, the action and its object, the method and route, the answer's
/// status (and problem title when refused), the caller's address and the request's trace id. Never a secret value.
/// </summary>
public sealed record AuditEntry(long Id, DateTimeOffset At, string Who, string Action, AuditObject? Object, string Method, string Route, int Status,
    string? Problem, string? Address, string TraceId);

/// <summary>The object an audit entry is about: its kind and, when the request named one, its id.</summary>
public sealed record AuditObject(string Kind, string? Id)
{
    public override string ToString() => Id is null ? Kind : $"{Kind}:{Id}";
}
