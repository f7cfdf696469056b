namespace Orchestrator.Runtime.Audit;

/// <summary>
/// One recorded state-changing request: who asked, what (the action, e.g. <c>instance.cancel</c>), on which object
/// (kind and id, from the route), when, from which address, how it ended (HTTP status, and a problem's title) and its
/// W3C trace id. It holds no request body, header or query string: nothing in it is a secret value.
/// </summary>
/// <param name="At">When the request was answered (the API's clock).</param>
/// <param name="Who">The caller's principal.</param>
/// <param name="Action">What was asked, e.g. <c>plan.put</c>; <c>unmatched</c> when no endpoint answers the route.</param>
/// <param name="ObjectKind">The kind of object it is about (<c>plan</c>, <c>instance</c>, ...), when the route names one.</param>
/// <param name="ObjectId">The object's id; a part of it after a slash (<c>ti-1/steps/2</c>).</param>
/// <param name="Method">The HTTP method.</param>
/// <param name="Route">The endpoint's route pattern (<c>/api/v1/plans/{id}</c>), never the path with its values.</param>
/// <param name="Status">The HTTP status answered.</param>
/// <param name="Problem">The title of the problem answered (or Harbor's <c>err</c>), when it was refused.</param>
/// <param name="Address">The caller's IP address, as the connection shows it.</param>
/// <param name="TraceId">The request's W3C trace id (32 lowercase hex digits).</param>
public sealed record AuditEntry(
    DateTimeOffset At, string Who, string Action, string? ObjectKind, string? ObjectId, string Method, string Route, int Status,
    string? Problem, string? Address, string TraceId)
{
    /// <summary>Longest text any field keeps; a longer one is cut.</summary>
    public const int MaxTextLength = 512;

    /// <summary>The row's id, increasing with each append (0 before it is stored).</summary>
    public long Id { get; init; }

    /// <summary>This entry with each text cut to <see cref="MaxTextLength"/> and control characters replaced by '?'.</summary>
    public AuditEntry Normalized() => this with
    {
        Who = Clean(Who)!,
        Action = Clean(Action)!,
        ObjectKind = Clean(ObjectKind),
        ObjectId = Clean(ObjectId),
        Method = Clean(Method)!,
        Route = Clean(Route)!,
        Problem = Clean(Problem),
        Address = Clean(Address),
        TraceId = Clean(TraceId)!,
    };

    private static string? Clean(string? text)
    {
        if (text is null)
        {
            return null;
        }
        if (text.Length > MaxTextLength)
        {
            text = text[..(char.IsHighSurrogate(text[MaxTextLength - 1]) ? MaxTextLength - 1 : MaxTextLength)]; // never half a pair
        }
        return text.Any(char.IsControl) ? string.Concat(text.Select(c => char.IsControl(c) ? '?' : c)) : text;
    }
}
