using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Logging;
using Orchestrator.Api.Common;
using Orchestrator.Runtime.Audit;
using Orchestrator.Runtime.Persistence;

namespace Orchestrator.Api.Audit;

/// <summary>
/// Records every state-changing request (<see cref="AuditActions.IsAudited"/>), accepted or refused, in the audit log
/// before its reply goes out: the entry is committed (group commit, <see cref="AuditWriter"/>) when the response
/// starts, so a client that saw a reply can find its entry. It records the caller (<see cref="Caller.Of"/>), the
/// action and object (<see cref="AuditActions"/>), the time (the API's clock), the remote address, the status, the
/// problem's title (<see cref="NoteProblem"/>) and the trace id (<see cref="TraceIds"/>); never a body, a header or
/// the query string. A reply without a body is recorded as the request ends, before it is sent; one the client left before is recorded as 499. If the write
/// fails, the reply still goes out and the failure is logged with the entry (no value in it is a secret).
/// </summary>
public static class AuditRecording
{
    /// <summary>Adds the middleware: after <see cref="TraceIds.AddTraceIds"/>, before <see cref="ProblemHandling.AddApiProblemHandling"/>.</summary>
    public static IServiceCollection AddApiAudit(this IServiceCollection services)
    {
        services.AddTransient<IStartupFilter, StartupFilter>();
        return services;
    }

    /// <summary>Notes the title of the error a request is answered with, for its audit entry (problem details and Harbor errors call it).</summary>
    public static void NoteProblem(HttpContext http, string? title)
    {
        ArgumentNullException.ThrowIfNull(http);
        if (http.Features.Get<AuditState>() is { } state && title is not null)
        {
            state.Problem = title;
        }
    }

    /// <summary>
    /// Names the object and caller of a request whose route cannot: an agent's registration is recorded as by
    /// <paramref name="who"/> on the hosts it registers, rather than by <c>anonymous</c> on no host.
    /// </summary>
    public static void NoteSubject(HttpContext http, string? objectId, string? who)
    {
        ArgumentNullException.ThrowIfNull(http);
        if (http.Features.Get<AuditState>() is { } state)
        {
            state.ObjectId = objectId ?? state.ObjectId;
            state.Who = who ?? state.Who;
        }
    }

    /// <summary>The request turned out to change nothing (a dry run): it gets no audit entry.</summary>
    public static void NotAChange(HttpContext http)
    {
        ArgumentNullException.ThrowIfNull(http);
        _ = http.Features.Get<AuditState>()?.Take();
    }

    private sealed class StartupFilter : IStartupFilter
    {
        public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
        {
            app.UseMiddleware<AuditMiddleware>();
            next(app);
        };
    }
}

/// <summary>One audited request's state: its problem title, and whether its entry was taken.</summary>
internal sealed class AuditState
{
    private int _taken;

    public string? Problem { get; set; }

    /// <summary>The object's id when the endpoint named it (<see cref="AuditRecording.NoteSubject"/>).</summary>
    public string? ObjectId { get; set; }

    /// <summary>The caller when the endpoint named it (<see cref="AuditRecording.NoteSubject"/>).</summary>
    public string? Who { get; set; }

    /// <summary>True the first time only: the entry is written once.</summary>
    public bool Take() => Interlocked.Exchange(ref _taken, 1) == 0;
}

/// <summary>See <see cref="AuditRecording"/>.</summary>
internal sealed partial class AuditMiddleware(RequestDelegate next, ILogger<AuditMiddleware> logger)
{
    public async Task InvokeAsync(HttpContext http)
    {
        if (!AuditActions.IsAudited(http.Request.Method, http.Request.Path))
        {
            await next(http).ConfigureAwait(false);
            return;
        }
        var state = new AuditState();
        http.Features.Set(state);
        http.Response.OnStarting(() => RecordAsync(http, state, http.Response.StatusCode));
        try
        {
            await next(http).ConfigureAwait(false);
        }
        finally
        {
            if (!http.Response.HasStarted)
            {
                // Not started yet: a reply without a body (204), which starts after this returns; or the client left
                // (499, as proxies write it).
                await RecordAsync(http, state, http.RequestAborted.IsCancellationRequested ? 499 : http.Response.StatusCode).ConfigureAwait(false);
            }
        }
    }

    private async Task RecordAsync(HttpContext http, AuditState state, int status)
    {
        if (!state.Take())
        {
            return;
        }
        AuditEntry? entry = null;
        try
        {
            var services = http.RequestServices;
            var route = AuditActions.RouteOf(http.GetEndpoint());
            var subject = AuditActions.Of(http.Request.Method, route, http.Request.RouteValues, http.Response);
            if (subject is null)
            {
                return;
            }
            entry = new AuditEntry(services.GetRequiredService<ApiContext>().Clock.GetUtcNow(), state.Who ?? await WhoAsync(http).ConfigureAwait(false), subject.Action, subject.ObjectKind,
                state.ObjectId ?? subject.ObjectId,
                http.Request.Method, route ?? "", status, state.Problem ?? (status >= 400 ? Problems.TitleOf(status) : null),
                http.Connection.RemoteIpAddress?.ToString(), TraceIds.Of(http));
            // The write goes on if the client leaves; the reply just stops waiting for it.
            await services.GetRequiredService<OrchestratorDatabase>().AuditWriter.AppendAsync(entry, http.RequestAborted).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (http.RequestAborted.IsCancellationRequested)
        {
        }
        catch (Exception e)
        {
            Log.NotRecorded(logger, entry?.Action ?? "?", entry?.ObjectKind, entry?.ObjectId, entry?.Who, status, entry?.TraceId ?? TraceIds.Of(http), e);
        }
    }

    /// <summary>
    /// The caller. A request no endpoint authenticated (no route matched, or it was turned away before routing) is
    /// authenticated here if it carries a bearer token, so the entry names who tried it rather than <c>anonymous</c>.
    /// </summary>
    private static async Task<string> WhoAsync(HttpContext http)
    {
        var who = Caller.Of(http);
        if (who != Caller.Anonymous || Identity.Bearer.Of(http.Request) is null)
        {
            return who;
        }
        var result = await http.AuthenticateAsync(Identity.IdentityRegistration.Scheme).ConfigureAwait(false);
        return Identity.CallerClaims.NameOf(result.Principal) ?? who;
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 4400, Level = LogLevel.Error,
            Message = "Audit entry not recorded: {Action} on {ObjectKind} {ObjectId} by {Who}, answered {Status}, trace {TraceId}")]
        public static partial void NotRecorded(ILogger logger, string action, string? objectKind, string? objectId, string? who, int status, string traceId, Exception exception);
    }
}
