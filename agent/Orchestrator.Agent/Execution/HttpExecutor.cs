using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using Microsoft.Extensions.Logging;
using Orchestrator.Agent.Protocol;

namespace Orchestrator.Agent.Execution;

/// <summary>
/// Runs an http assignment: makes the request from this host, writes a curl-like log (<c>&gt; request</c>,
/// <c>&lt; response</c> head, then up to <see cref="MaxLoggedBodyBytes"/> of the body), and succeeds when the status is
/// one the step expects. The status is the output <c>status</c>; a failure's reason goes in the Finished event's
/// message, as there is no exit code. The kill token (the server's cancel, the step's target timeout) aborts the
/// request; the request's own timeout ends it as <see cref="AgentOutcome.TimedOut"/>.
/// </summary>
internal sealed partial class HttpExecutor(TimeProvider timeProvider, ILogger logger) : IDisposable
{
    /// <summary>The request timeout when the step gives none: HttpClient's own default.</summary>
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(100);

    /// <summary>How much of the response body goes into the log; the rest is not read.</summary>
    public const int MaxLoggedBodyBytes = 64 * 1024;

    /// <summary>Headers whose values the log shows as <c>***</c>: credentials, whether or not they are secrets of the plan.</summary>
    private static readonly string[] SensitiveHeaders = ["Authorization", "Proxy-Authorization", "Cookie", "Set-Cookie", "X-Api-Key"];

    /// <summary>Name endings of token headers (<c>PRIVATE-TOKEN</c>, <c>X-Vault-Token</c>, <c>Ocp-Apim-Subscription-Key</c>), also shown as <c>***</c>.</summary>
    private static readonly string[] SensitiveSuffixes = ["-Token", "-Key"];

    /// <summary>Name beginnings of credential headers (<c>X-Auth-Token</c>, <c>X-Auth-User</c>), also shown as <c>***</c>.</summary>
    private static readonly string[] SensitivePrefixes = ["X-Auth-"];

    private readonly HttpClient following = NewClient(followRedirects: true);
    private readonly HttpClient notFollowing = NewClient(followRedirects: false);

    public async Task<ExecutionResult> RunAsync(Assignment assignment, AssignmentLog log, Action started, CancellationToken kill)
    {
        if (assignment.Http is not { } work)
        {
            log.System("The assignment has no http request.");
            return ExecutionResult.Error;
        }
        if (!Uri.TryCreate(work.Url, UriKind.Absolute, out var url) || url.Scheme is not ("http" or "https"))
        {
            return Error(log, $"'{work.Url}' is not an absolute http or https URL.");
        }
        if (!StatusMatcher.TryParse(work.ExpectStatus, out var expected, out var badStatus))
        {
            return Error(log, $"'{badStatus}' is not an expected status: a code such as 204 or a class such as 2xx.");
        }
        using var request = new HttpRequestMessage(new HttpMethod(work.Method), url);
        if (BuildRequest(request, work) is { } headerError)
        {
            return Error(log, headerError);
        }

        var timeout = work.TimeoutMs is int ms ? TimeSpan.FromMilliseconds(Math.Max(1, ms)) : DefaultTimeout;
        using var timeoutSource = new CancellationTokenSource(timeout, timeProvider);
        using var abort = CancellationTokenSource.CreateLinkedTokenSource(kill, timeoutSource.Token);
        started();
        LogRequest(log, request, work);
        Log.Requesting(logger, assignment.Id, request.Method, log.Masker.Apply(Display(url)));
        try
        {
            var client = work.FollowRedirects ? following : notFollowing;
            using var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, abort.Token).ConfigureAwait(false);
            var status = (int)response.StatusCode;
            log.SetOutput("status", status.ToString(CultureInfo.InvariantCulture));
            LogResponseHead(log, response);
            await LogBodyAsync(log, response, abort.Token).ConfigureAwait(false);
            Log.Responded(logger, assignment.Id, status);
            if (expected.Matches(status))
            {
                return new ExecutionResult(AgentOutcome.Succeeded);
            }
            var reason = $"HTTP {status} {response.ReasonPhrase}; expected {expected}.";
            log.System(reason);
            return new ExecutionResult(AgentOutcome.Failed, Message: log.Masker.Apply(reason));
        }
        catch (OperationCanceledException) when (kill.IsCancellationRequested)
        {
            throw; // the scheduler's: cancelled by the server, or the step's target timeout
        }
        catch (OperationCanceledException) when (timeoutSource.IsCancellationRequested)
        {
            var reason = $"No complete response within the request timeout of {timeout.TotalSeconds:0.###} s.";
            log.System(reason);
            return new ExecutionResult(AgentOutcome.TimedOut, Message: reason);
        }
        catch (HttpRequestException ex)
        {
            // No response at all (refused, unresolvable, TLS): the target failed, and a retry may find the server up.
            var reason = log.Masker.Apply($"The request failed: {ex.Message}{(ex.InnerException is { } inner ? $" ({inner.Message})" : "")}");
            log.System(reason);
            return new ExecutionResult(AgentOutcome.Failed, Message: reason);
        }
        catch (IOException ex) when (!kill.IsCancellationRequested)
        {
            // The response broke off while its body was read (connection reset, body shorter than announced): the
            // request failed as surely as one without a response, and is not an error of the agent.
            var reason = log.Masker.Apply($"The response broke off: {ex.Message}{(ex.InnerException is { } inner ? $" ({inner.Message})" : "")}");
            log.System(reason);
            return new ExecutionResult(AgentOutcome.Failed, Message: reason);
        }
    }

    public void Dispose()
    {
        following.Dispose();
        notFollowing.Dispose();
    }

    private static HttpClient NewClient(bool followRedirects) =>
        new(new SocketsHttpHandler
        {
            AllowAutoRedirect = followRedirects,
            PooledConnectionLifetime = TimeSpan.FromMinutes(2), // DNS changes of the targets are seen
            AutomaticDecompression = DecompressionMethods.All,
        })
        {
            Timeout = Timeout.InfiniteTimeSpan, // each request has its own, distinguishable from a kill
        };

    private static ExecutionResult Error(AssignmentLog log, string message)
    {
        log.System(message);
        return new ExecutionResult(AgentOutcome.Error, Message: log.Masker.Apply(message));
    }

    /// <summary>Headers and body onto the request; the error text when a header cannot be sent.</summary>
    private static string? BuildRequest(HttpRequestMessage request, HttpWork work)
    {
        if (work.Body is { } body)
        {
            request.Content = new StringContent(body, Encoding.UTF8);
        }
        foreach (var (name, value) in work.Headers)
        {
            if (value.AsSpan().ContainsAny('\r', '\n'))
            {
                return $"The value of header '{name}' has a line break.";
            }
            if (name.StartsWith("Content-", StringComparison.OrdinalIgnoreCase))
            {
                request.Content ??= new ByteArrayContent([]);
                request.Content.Headers.Remove(name);
                if (!request.Content.Headers.TryAddWithoutValidation(name, value))
                {
                    return $"'{name}' cannot be sent as a header.";
                }
            }
            else if (!request.Headers.TryAddWithoutValidation(name, value))
            {
                return $"'{name}' cannot be sent as a header.";
            }
        }
        return null;
    }

    private static void LogRequest(AssignmentLog log, HttpRequestMessage request, HttpWork work)
    {
        var text = new StringBuilder();
        text.Append(CultureInfo.InvariantCulture, $"> {request.Method} {Display(request.RequestUri!)}\n");
        AppendHeaders(text, '>', request.Headers);
        if (request.Content is { } content)
        {
            AppendHeaders(text, '>', content.Headers);
            text.Append(CultureInfo.InvariantCulture, $"> ({Encoding.UTF8.GetByteCount(work.Body ?? "")} bytes of body)\n");
        }
        log.Append("stdout", log.Masker.Apply(text.ToString()));
    }

    private static void LogResponseHead(AssignmentLog log, HttpResponseMessage response)
    {
        var text = new StringBuilder();
        text.Append(CultureInfo.InvariantCulture, $"< HTTP/{response.Version} {(int)response.StatusCode} {response.ReasonPhrase}\n");
        AppendHeaders(text, '<', response.Headers);
        AppendHeaders(text, '<', response.Content.Headers);
        text.Append("<\n");
        log.Append("stdout", log.Masker.Apply(text.ToString()));
    }

    private static void AppendHeaders(StringBuilder text, char direction, HttpHeaders headers)
    {
        foreach (var (name, values) in headers.NonValidated)
        {
            var shown = IsSensitive(name) ? "***" : values.ToString();
            text.Append(CultureInfo.InvariantCulture, $"{direction} {name}: {shown}\n");
        }
    }

    /// <summary>Whether a header carries a credential by its name alone, so that its value is never logged.</summary>
    internal static bool IsSensitive(string name) =>
        SensitiveHeaders.Contains(name, StringComparer.OrdinalIgnoreCase)
        || SensitiveSuffixes.Any(s => name.Length > s.Length && name.EndsWith(s, StringComparison.OrdinalIgnoreCase))
        || SensitivePrefixes.Any(p => name.Length > p.Length && name.StartsWith(p, StringComparison.OrdinalIgnoreCase));

    /// <summary>The URL as logs show it: a user name and password in it become <c>***</c>.</summary>
    internal static string Display(Uri url) =>
        url.UserInfo.Length == 0
            ? url.ToString()
            : url.GetComponents(UriComponents.AbsoluteUri & ~UriComponents.UserInfo, UriFormat.SafeUnescaped).Insert(url.Scheme.Length + 3, "***@");

    /// <summary>Up to <see cref="MaxLoggedBodyBytes"/> of the body, decoded by its charset (UTF-8 by default), in chunks.</summary>
    private static async Task LogBodyAsync(AssignmentLog log, HttpResponseMessage response, CancellationToken cancellationToken)
    {
        var stream = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
        var buffer = new byte[MaxLoggedBodyBytes + 1];
        var length = 0;
        await using (stream.ConfigureAwait(false))
        {
            int read;
            while (length < buffer.Length && (read = await stream.ReadAsync(buffer.AsMemory(length), cancellationToken).ConfigureAwait(false)) > 0)
            {
                length += read;
            }
        }
        var truncated = length > MaxLoggedBodyBytes;
        var body = BodyEncoding(response).GetString(buffer, 0, Math.Min(length, MaxLoggedBodyBytes));
        // Masked whole, then cut: a secret cannot straddle two chunks unmasked.
        var masked = log.Masker.Apply(body);
        const int chunk = 16 * 1024;
        for (var i = 0; i < masked.Length;)
        {
            // Never between the two halves of a 4-byte character.
            var end = Agent.Protocol.ProtocolText.SafeCut(masked, Math.Min(masked.Length, i + chunk));
            log.Append("stdout", masked[i..end]);
            i = end;
        }
        if (masked.Length > 0 && !masked.EndsWith('\n'))
        {
            log.Append("stdout", "\n");
        }
        if (truncated)
        {
            log.System($"The response body is longer than {MaxLoggedBodyBytes} bytes; the rest is not logged.");
        }
    }

    private static Encoding BodyEncoding(HttpResponseMessage response)
    {
        try
        {
            return response.Content.Headers.ContentType?.CharSet is { Length: > 0 } charset ? Encoding.GetEncoding(charset.Trim('"')) : Encoding.UTF8;
        }
        catch (ArgumentException)
        {
            return Encoding.UTF8;
        }
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 3301, Level = LogLevel.Debug, Message = "Assignment {AssignmentId}: {Method} {Url}")]
        public static partial void Requesting(ILogger logger, string assignmentId, HttpMethod method, string url);

        [LoggerMessage(EventId = 3302, Level = LogLevel.Debug, Message = "Assignment {AssignmentId}: the response status is {Status}")]
        public static partial void Responded(ILogger logger, string assignmentId, int status);
    }
}
