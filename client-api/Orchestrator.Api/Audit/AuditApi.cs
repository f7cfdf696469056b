using System.Globalization;
using Orchestrator.Api.Common;
using Orchestrator.Runtime.Audit;

namespace Orchestrator.Api.Audit;

/// <summary>
/// <c>GET /api/v1/audit</c>: the audit log, newest first, filtered by <c>who</c> (a principal), <c>object</c>
/// (<c>kind</c> or <c>kind:id</c>; an id also matches its parts, <c>instance:ti-1</c> its steps), <c>action</c>,
/// <c>from</c> (inclusive) and <c>to</c> (exclusive), paged with <c>limit</c> and the cursor <c>after</c> (the previous
/// page's <c>next</c>). A bad filter is a 400 naming it. What is recorded: <see cref="AuditRecording"/>.
/// </summary>
public static class AuditApi
{
    /// <summary>The object kinds entries name (<see cref="AuditActions"/>).</summary>
    public static readonly string[] ObjectKinds = ["dead-letter", "file", "host", "instance", "job", "plan", "schedule", "token"];

    /// <summary>Longest action name a filter takes.</summary>
    public const int MaxActionLength = 128;

    public static IEndpointRouteBuilder MapAuditApi(this IEndpointRouteBuilder routes)
    {
        routes.MapGroup("/api/v1/audit").WithTags("Audit").MapGet("/", List);
        return routes;
    }

    private static async Task<Results<Ok<AuditPage>, ProblemHttpResult>> List(HttpContext http, ApiContext api, [Microsoft.AspNetCore.Mvc.FromServices] Runtime.Persistence.OrchestratorDatabase database, CancellationToken cancellationToken)
    {
        var query = new QueryValues(http);
        var filter = Read(query, api.Options.MaxPageSize);
        if (query.Problem() is { } bad)
        {
            return bad;
        }
        var rows = await database.Audit.QueryAsync(filter, cancellationToken);
        return TypedResults.Ok(new AuditPage(
            [.. rows.Select(AuditEntryView.Of)],
            Cursor.Next(rows.Count, filter.Limit, () => rows[^1].Id.ToString(CultureInfo.InvariantCulture))));
    }

    /// <summary>The filter a query string asks for; errors (naming the parameter) go to <paramref name="query"/>.</summary>
    public static AuditQuery Read(QueryValues query, int maxPageSize)
    {
        ArgumentNullException.ThrowIfNull(query);
        var who = query.Text("who", ApiLimits.MaxUserLength);
        if (who is { Length: 0 })
        {
            query.Errors.Add(new FieldError("who", "Empty; name a principal, or leave the filter out."));
        }
        var (kind, id) = Object(query, query.Text("object", ApiLimits.MaxQueryValueLength));
        var action = query.Text("action", MaxActionLength);
        if (action is not null && (action.Length == 0 || !action.All(c => char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c is '.' or '-')))
        {
            query.Errors.Add(new FieldError("action", $"{Quote.Of(action)} is not an action name (lowercase letters, digits, '.' and '-', e.g. instance.cancel)."));
        }
        var from = query.Time("from", DateTimeOffset.MinValue, DateTimeOffset.MaxValue);
        var to = query.Time("to", DateTimeOffset.MinValue, DateTimeOffset.MaxValue);
        if (from is not null && to is not null && to <= from)
        {
            query.Errors.Add(new FieldError("to", $"{to:O} is not after from ({from:O}); the range is from (inclusive) to (exclusive)."));
        }
        var limit = query.Limit(maxPageSize);
        long? before = null;
        if (query.After() is { } key)
        {
            if (QueryValues.TryWhole(key, 1, long.MaxValue, out var last))
            {
                before = last;
            }
            else
            {
                query.Errors.Add(new FieldError("after", "Not a cursor of the audit log: pass the 'next' value of the previous page unchanged."));
            }
        }
        return new AuditQuery(who is { Length: > 0 } ? who : null, kind, id, action, from, to, before, limit);
    }

    private static (string? Kind, string? Id) Object(QueryValues query, string? text)
    {
        if (text is null)
        {
            return (null, null);
        }
        var colon = text.IndexOf(':', StringComparison.Ordinal);
        var kind = colon < 0 ? text : text[..colon];
        var id = colon < 0 ? null : text[(colon + 1)..];
        if (!ObjectKinds.Contains(kind, StringComparer.Ordinal))
        {
            query.Errors.Add(new FieldError("object", $"{Quote.Of(kind)} is not an object kind; use one of {string.Join(", ", ObjectKinds)}, alone or as kind:id (e.g. instance:ti-1)."));
            return (null, null);
        }
        if (id is { Length: 0 })
        {
            query.Errors.Add(new FieldError("object", $"{Quote.Of(text)} names no id after the colon; give kind:id, or the kind alone."));
            return (null, null);
        }
        return (kind, id);
    }
}

/// <summary>A page of the audit log, newest first; <c>next</c> is the cursor of the next page (absent on the last).</summary>
public sealed record AuditPage(IReadOnlyList<AuditEntryView> Items, string? Next);

/// <summary>The object an entry is about: its kind, and its id when the request named one.</summary>
public sealed record AuditObjectView(string Kind, string? Id);

/// <summary>One audit entry as the API answers it (see <see cref="AuditEntry"/>).</summary>
public sealed record AuditEntryView(
    long Id, DateTimeOffset At, string Who, string Action, AuditObjectView? Object, string Method, string Route, int Status,
    string? Problem, string? Address, string TraceId)
{
    public static AuditEntryView Of(AuditEntry e)
    {
        ArgumentNullException.ThrowIfNull(e);
        return new(e.Id, e.At, e.Who, e.Action, e.ObjectKind is null ? null : new AuditObjectView(e.ObjectKind, e.ObjectId), e.Method, e.Route, e.Status,
            e.Problem, e.Address, e.TraceId);
    }
}
