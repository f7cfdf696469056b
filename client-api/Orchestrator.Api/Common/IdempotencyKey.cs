using System.Security.Cryptography;
using System.Text;
using Orchestrator.GrainInterfaces;

namespace Orchestrator.Api.Common;

/// <summary>
/// The <c>Idempotency-Key</c> request header: a client that may retry a command (a timeout, a lost answer) sends the same
/// key with each try, and every try gets the first one's outcome. The key becomes the command's request id, scoped by
/// caller (<see cref="Caller"/>), method and path and hashed, so that two callers — or one caller on two resources —
/// never share an outcome by picking the same key, and the key itself is never stored. A retry gets the first outcome
/// for the silos' idempotency window (<c>IdempotencyWindow</c>, default 24 h) after the first try was applied, however
/// many other commands reach the same resource meanwhile (<see cref="GrainInterfaces.RequestLog"/>); after it, the
/// same key is a new command. A key is 1 to <see cref="MaxLength"/> characters of <c>A–Z a–z 0–9 - _ . : ~ + / =</c> (a UUID,
/// a ULID, base64); anything else is refused with 400 before the command is looked at.
/// </summary>
public static class IdempotencyKey
{
    public const string Header = "Idempotency-Key";

    public const int MaxLength = 255;

    /// <summary>Null when the header is absent or valid; else why not.</summary>
    public static string? Problem(HttpRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (!request.Headers.TryGetValue(Header, out var values))
        {
            return null;
        }
        if (values.Count > 1)
        {
            return $"Given {values.Count} times; give it once.";
        }
        var key = values[0] ?? "";
        if (key.Length == 0)
        {
            return "Empty; send 1 to 255 characters, or leave the header out.";
        }
        if (key.Length > MaxLength)
        {
            return $"Longer than {MaxLength} characters ({key.Length}).";
        }
        return key.All(IsKeyChar)
            ? null
            : "Holds a character outside A-Z, a-z, 0-9 and - _ . : ~ + / = (use a UUID, for instance).";
    }

    /// <summary>Whether the request carries a key (valid: <see cref="ProblemHandling"/> refused any other).</summary>
    public static bool IsGiven(HttpContext http)
    {
        ArgumentNullException.ThrowIfNull(http);
        return http.Request.Headers.ContainsKey(Header);
    }

    /// <summary>
    /// The request id of this request's command: derived from its key (the same for every retry with that key by the same
    /// caller on the same method and path), else a new one.
    /// </summary>
    public static string RequestId(HttpContext http)
    {
        ArgumentNullException.ThrowIfNull(http);
        if (!http.Request.Headers.TryGetValue(Header, out var values) || values.Count != 1 || string.IsNullOrEmpty(values[0]))
        {
            return CommandWaiter.NewRequestId();
        }
        var scope = string.Join('\n', Caller.Of(http), http.Request.Method.ToUpperInvariant(), http.Request.Path.Value ?? "", values[0]);
        return RequestIds.ClientKeyPrefix + Hash(scope);
    }

    /// <summary>
    /// An id the command creates (a task instance's), fixed by the request id when the client sent a key — a retry names
    /// the same instance — else new.
    /// </summary>
    public static string NewId(HttpContext http, string requestId, string purpose) =>
        IsGiven(http) ? Hash(purpose + "\n" + requestId) : Guid.NewGuid().ToString("N");

    private static string Hash(string text) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)))[..32];

    private static bool IsKeyChar(char c) => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.' or ':' or '~' or '+' or '/' or '=';
}
