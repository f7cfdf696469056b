namespace Orchestrator.GrainInterfaces;

/// <summary>
/// The outcome of a command sent with a request id: grains keep the last ones in their state so that a caller can
/// wait for its command to be applied and learn what happened (commands themselves are one-way).
/// Code is HTTP-like: 200 done, 400 invalid, 403 not allowed, 404 unknown, 409 conflict with the current state.
/// </summary>
[GenerateSerializer]
public sealed record RequestResult(string RequestId, int Code, string? Error, string? Value)
{
    public bool Ok => Code is >= 200 and < 300;

    public static RequestResult Done(string requestId, string? value = null) => new(requestId, 200, null, value);

    public static RequestResult Fail(string requestId, int code, string error) => new(requestId, code, error, null);
}

/// <summary>A bounded log of request outcomes kept in grain state (oldest dropped first).</summary>
public sealed class RequestLog
{
    public const int Capacity = 64;

    public List<RequestResult> Results { get; set; } = [];

    public RequestResult? Find(string requestId) => Results.Find(r => r.RequestId == requestId);

    public RequestResult Add(RequestResult result)
    {
        Results.Add(result);
        if (Results.Count > Capacity)
        {
            Results.RemoveAt(0);
        }
        return result;
    }
}
