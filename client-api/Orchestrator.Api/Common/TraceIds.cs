using System.Diagnostics;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http.Features;

namespace Orchestrator.Api.Common;

/// <summary>
/// The request's W3C trace id on every reply. Each request runs under a W3C <see cref="Activity"/>: the host's, when
/// it made one (it then honours an incoming <c>traceparent</c>), or one this middleware starts with the incoming
/// <c>traceparent</c> as its parent (a new trace when the header is absent or malformed). Its trace id (32 lowercase
/// hex digits) is answered in the <see cref="Header"/> header of every reply (the API, the agent gateway, health
/// checks), in every error body (problem details' <c>traceId</c>, Harbor's <c>trace_id</c>), in the audit entry and
/// in the logs the request writes. Installed as a startup filter, so the pipeline of the host needs no change.
/// </summary>
public static class TraceIds
{
    /// <summary>The reply header carrying the trace id.</summary>
    public const string Header = "X-Trace-Id";

    /// <summary>The W3C request header honoured.</summary>
    public const string TraceParent = "traceparent";

    /// <summary>Adds the middleware ahead of the API's own (register before <see cref="ProblemHandling.AddApiProblemHandling"/>).</summary>
    public static IServiceCollection AddTraceIds(this IServiceCollection services)
    {
        services.AddTransient<IStartupFilter, StartupFilter>();
        return services;
    }

    /// <summary>The request's trace id (32 lowercase hex digits).</summary>
    public static string Of(HttpContext http)
    {
        ArgumentNullException.ThrowIfNull(http);
        if (http.Features.Get<TraceIdFeature>() is { } feature)
        {
            return feature.TraceId;
        }
        return Activity.Current is { IdFormat: ActivityIdFormat.W3C } current ? current.TraceId.ToHexString() : http.TraceIdentifier;
    }

    private sealed class StartupFilter : IStartupFilter
    {
        public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
        {
            app.UseMiddleware<TraceIdMiddleware>();
            next(app);
        };
    }
}

/// <summary>The trace id <see cref="TraceIdMiddleware"/> settled on for a request.</summary>
internal sealed record TraceIdFeature(string TraceId);

/// <summary>See <see cref="TraceIds"/>.</summary>
internal sealed class TraceIdMiddleware(RequestDelegate next)
{
    private const string ActivityName = "Orchestrator.Api.Request";

    public async Task InvokeAsync(HttpContext http)
    {
        Activity? own = null;
        var hosting = http.Features.Get<IHttpActivityFeature>()?.Activity;
        if (hosting is not { IdFormat: ActivityIdFormat.W3C } || hosting != Activity.Current)
        {
            // The host made no activity (no log or trace listener) or not a W3C one: this request's own, never a
            // child of whatever activity happened to be ambient.
            Activity.Current = null;
            own = new Activity(ActivityName);
            own.SetIdFormat(ActivityIdFormat.W3C);
            var parent = http.Request.Headers[TraceIds.TraceParent];
            if (parent.Count == 1 && ActivityContext.TryParse(parent[0], null, out var context))
            {
                own.SetParentId(context.TraceId, context.SpanId, context.TraceFlags);
            }
            own.Start();
        }
        var traceId = Activity.Current!.TraceId.ToHexString();
        http.Features.Set(new TraceIdFeature(traceId));
        // On starting, not now: an error handler that clears the response (a 500) would drop a header set now.
        http.Response.OnStarting(() =>
        {
            http.Response.Headers[TraceIds.Header] = traceId;
            return Task.CompletedTask;
        });
        try
        {
            await next(http).ConfigureAwait(false);
        }
        finally
        {
            own?.Stop();
        }
    }
}
