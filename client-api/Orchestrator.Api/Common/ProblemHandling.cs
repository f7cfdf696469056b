using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Logging;

namespace Orchestrator.Api.Common;

/// <summary>
/// The safety net under every endpoint of <c>/api/v1</c>, present and future, so that no answer is an empty 4xx or a
/// bare 500. Installed by <see cref="Hosting.ApiRegistration.AddOrchestratorApi"/> as a startup filter (no change to
/// the host's pipeline needed), it runs before routing and:
/// <list type="bullet">
/// <item>refuses a query value or name with a control character (a NUL reaching PostgreSQL is a 500) and an invalid
/// <c>Idempotency-Key</c> header, naming them;</item>
/// <item>bounds request bodies at <see cref="ApiLimits.MaxBodyBytes"/> unless the endpoint says otherwise (its
/// <see cref="Microsoft.AspNetCore.Http.Metadata.IRequestSizeLimitMetadata"/>, which routing applies afterwards);</item>
/// <item>turns a parameter binding failure (<see cref="RouteHandlerOptions.ThrowOnBadRequest"/> is set, so minimal
/// APIs throw instead of answering an empty 400) into problem details naming the parameter, or the JSON path inside
/// the body;</item>
/// <item>turns any other exception into a 500 problem with the trace id (logged, never shown);</item>
/// <item>gives a body to any 4xx or 5xx that an endpoint or the framework left empty (an unmatched route's 404, a
/// 405).</item>
/// </list>
/// The jobs API (<c>/api/v1/jobs</c>, <c>/api/v1/stats</c>) gets Harbor's error body instead of problem details. The
/// agent gateway (<c>/api/v1/agent</c>) keeps its own body limits.
/// </summary>
public static partial class ProblemHandling
{
    public static IServiceCollection AddApiProblemHandling(this IServiceCollection services)
    {
        services.Configure<RouteHandlerOptions>(o => o.ThrowOnBadRequest = true);
        services.AddTransient<IStartupFilter, StartupFilter>();
        return services;
    }

    /// <summary>
    /// Orleans could not deliver a grain call for a while (the silo holding the grain died or left, no gateway, no answer
    /// in time): answered 503 with <c>Retry-After</c>, never 500.
    /// </summary>
    internal static bool IsClusterUnavailable(Exception e) =>
        e is SiloUnavailableException or OrleansMessageRejectionException or TimeoutException
        || e is OrleansException && e.GetType().Name == "ConnectionFailedException";

    internal static bool IsApi(PathString path) => path.StartsWithSegments("/api/v1", StringComparison.OrdinalIgnoreCase);

    internal static bool IsHarbor(PathString path) =>
        path.StartsWithSegments("/api/v1/jobs", StringComparison.OrdinalIgnoreCase) || path.StartsWithSegments("/api/v1/stats", StringComparison.OrdinalIgnoreCase);

    internal static bool IsAgentGateway(PathString path) => path.StartsWithSegments("/api/v1/agent", StringComparison.OrdinalIgnoreCase);

    /// <summary>The first query name or value with a control character, as the error naming it.</summary>
    internal static FieldError? CheckQuery(IQueryCollection query)
    {
        foreach (var (key, values) in query)
        {
            if (key.Any(char.IsControl))
            {
                return new FieldError(Quote.Of(key), "A query parameter name holds a control character.");
            }
            foreach (var value in values)
            {
                if (value is not null && value.Any(char.IsControl))
                {
                    return new FieldError(key, $"{Quote.Of(value)} holds a control character; no query value may.");
                }
            }
        }
        return null;
    }

    /// <summary>What a binding failure was about: the parameter, or the JSON path inside the body, and why.</summary>
    internal static InputError FromBinding(BadHttpRequestException e)
    {
        if (e.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            return new InputError(e.StatusCode, new FieldError("body", "The body is larger than this endpoint takes."));
        }
        if (e.StatusCode == StatusCodes.Status415UnsupportedMediaType)
        {
            return new InputError(e.StatusCode, new FieldError("Content-Type", "Not a content type this endpoint reads; send application/json."));
        }
        var parameter = ParameterName().Match(e.Message) is { Success: true } m ? m.Groups["name"].Value : "request";
        if (e.InnerException is JsonException json)
        {
            var path = json.Path is null or "$" ? "body" : json.Path.TrimStart('$').TrimStart('.');
            return InputError.BadRequest(path, "The value is not of the type or shape this field takes.",
                json.LineNumber is { } line ? (int)line + 1 : null, json.BytePositionInLine is { } column ? (int)column + 1 : null);
        }
        var message = e.Message.Length > 300 ? e.Message[..300] + "…" : e.Message;
        return new InputError(e.StatusCode is >= 400 and < 500 ? e.StatusCode : 400, new FieldError(parameter, "Could not be read: " + message));
    }

    // Framework messages name the parameter as "<type> <name>": Failed to bind parameter "int? limit" from "x".
    [GeneratedRegex("parameter \"(?:[^\"]* )?(?<name>[^\" ]+)\"", RegexOptions.CultureInvariant)]
    private static partial Regex ParameterName();

    private sealed class StartupFilter : IStartupFilter
    {
        public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
        {
            app.UseMiddleware<ApiErrorsMiddleware>();
            next(app);
        };
    }
}

/// <summary>See <see cref="ProblemHandling"/>.</summary>
internal sealed partial class ApiErrorsMiddleware(RequestDelegate next, ILogger<ApiErrorsMiddleware> logger)
{
    public async Task InvokeAsync(HttpContext http)
    {
        var request = http.Request;
        if (!ProblemHandling.IsApi(request.Path))
        {
            await next(http).ConfigureAwait(false);
            return;
        }
        if (ProblemHandling.CheckQuery(request.Query) is { } queryError)
        {
            await WriteAsync(http, new InputError(StatusCodes.Status400BadRequest, queryError)).ConfigureAwait(false);
            return;
        }
        if (!ProblemHandling.IsAgentGateway(request.Path))
        {
            if (IdempotencyKey.Problem(request) is { } keyError)
            {
                await WriteAsync(http, InputError.BadRequest(IdempotencyKey.Header, keyError)).ConfigureAwait(false);
                return;
            }
            if (http.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } limit)
            {
                limit.MaxRequestBodySize = ApiLimits.MaxBodyBytes;
            }
        }

        try
        {
            await next(http).ConfigureAwait(false);
        }
        catch (BadHttpRequestException e) when (!http.Response.HasStarted)
        {
            var error = ProblemHandling.FromBinding(e);
            // The field, not the message: a framework message quotes the value sent, which may be anything.
            Log.BindingFailed(logger, request.Method, request.Path, error.Status, error.Field.Path);
            await WriteAsync(http, error).ConfigureAwait(false);
            return;
        }
        catch (Exception e) when (ProblemHandling.IsClusterUnavailable(e) && !http.Response.HasStarted && !http.RequestAborted.IsCancellationRequested)
        {
            // Not the request's fault, nor a bug: a silo just left or joined and a grain call could not be routed.
            Log.ClusterUnavailable(logger, request.Method, request.Path, e.GetType().Name);
            http.Response.Clear();
            http.Response.Headers.RetryAfter = "1";
            await WriteAsync(http, new InputError(StatusCodes.Status503ServiceUnavailable,
                new FieldError("", "The cluster could not reach the grain this request needs (a silo left or joined); retry shortly."))).ConfigureAwait(false);
            return;
        }
        catch (Exception e) when (!http.Response.HasStarted && !http.RequestAborted.IsCancellationRequested)
        {
            Log.Failed(logger, request.Method, request.Path, e);
            http.Response.Clear();
            await WriteAsync(http, new InputError(StatusCodes.Status500InternalServerError,
                new FieldError("", "The server failed to handle the request; the trace id identifies it in the server's log."))).ConfigureAwait(false);
            return;
        }

        var response = http.Response;
        if (response.StatusCode >= 400 && !response.HasStarted && response.ContentLength is null or 0 && response.ContentType is null)
        {
            await WriteAsync(http, EmptyAnswer(response.StatusCode, request)).ConfigureAwait(false);
        }
    }

    /// <summary>What an error answered without a body was about, as far as the status says.</summary>
    private static InputError EmptyAnswer(int status, HttpRequest request) => status switch
    {
        413 => new InputError(status, new FieldError("body", $"The body is larger than {request.Method} {request.Path} takes.")),
        415 => new InputError(status, new FieldError("Content-Type", $"{Quote.Of(request.ContentType)} is not a content type {request.Method} {request.Path} reads.")),
        404 => new InputError(status, new FieldError("", $"No resource answers {request.Method} {request.Path}; see docs/api.md.")),
        405 => new InputError(status, new FieldError("", $"{request.Path} does not take {request.Method}; see docs/api.md.")),
        _ => new InputError(status, new FieldError("", $"{request.Method} {request.Path} was answered {status}.")),
    };

    private static Task WriteAsync(HttpContext http, InputError error)
    {
        http.Response.StatusCode = error.Status;
        IResult result;
        if (ProblemHandling.IsHarbor(http.Request.Path))
        {
            result = Jobs.HarborErrors.From(error);
        }
        else if (error.Field.Path.Length == 0)
        {
            result = TypedResults.Problem(title: Problems.TitleOf(error.Status), detail: error.Field.Message, statusCode: error.Status);
        }
        else
        {
            result = Problems.From(error);
        }
        return result.ExecuteAsync(http);
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 4200, Level = LogLevel.Information, Message = "{Method} {Path}: answered {Status}, {Field} could not be bound")]
        public static partial void BindingFailed(ILogger logger, string method, PathString path, int status, string field);

        [LoggerMessage(EventId = 4202, Level = LogLevel.Warning, Message = "{Method} {Path}: the cluster could not route a grain call ({Exception}); answered 503")]
        public static partial void ClusterUnavailable(ILogger logger, string method, PathString path, string exception);

        [LoggerMessage(EventId = 4201, Level = LogLevel.Error, Message = "{Method} {Path} failed")]
        public static partial void Failed(ILogger logger, string method, PathString path, Exception exception);
    }
}
