using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Orchestrator.Engine.Tests.Infrastructure;

namespace Orchestrator.Engine.Tests.Hooks;

/// <summary>
/// A real HTTP receiver for status hooks on a Kestrel port of its own: records every request it gets with the
/// answer it gave, fails the first N on request, answers an error status while told to, and can be stopped
/// (connection refused) and started again on the same port.
/// </summary>
public sealed class HookReceiver : IAsyncDisposable
{
    private readonly Lock _sync = new();
    private readonly List<ReceivedHook> _received = [];
    private WebApplication? _app;
    private int _failNext;

    private HookReceiver(int port) => Port = port;

    /// <summary>The body of every non-2xx answer: it must never show up in a hook's last error.</summary>
    public const string RefusalBody = "receiver says no";

    public int Port { get; }

    public string Url => $"http://127.0.0.1:{Port}/hook";

    /// <summary>Runs on every request after it is recorded, before it is answered (the sender waits for it).</summary>
    public Func<ReceivedHook, Task>? OnReceive { get; set; }

    /// <summary>While set, every request is answered with this status (e.g. 500).</summary>
    public int? FailWith { get; set; }

    public static async Task<HookReceiver> StartAsync()
    {
        var receiver = new HookReceiver(EngineHarness.FreePort());
        await receiver.StartAgainAsync();
        return receiver;
    }

    /// <summary>The next <paramref name="count"/> requests are answered 503.</summary>
    public void FailNext(int count) => Interlocked.Exchange(ref _failNext, count);

    public IReadOnlyList<ReceivedHook> Received
    {
        get
        {
            lock (_sync)
            {
                return [.. _received];
            }
        }
    }

    /// <summary>The requests answered 2xx, in arrival order.</summary>
    public IReadOnlyList<ReceivedHook> Delivered => [.. Received.Where(r => r.Answer is >= 200 and < 300)];

    public async Task StartAgainAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls($"http://127.0.0.1:{Port}");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        app.MapPost("/hook", Receive);
        await app.StartAsync();
        _app = app;
    }

    /// <summary>Stops listening: attempts meet a refused connection until <see cref="StartAgainAsync"/>.</summary>
    public async Task StopAsync()
    {
        if (_app is { } app)
        {
            _app = null;
            await app.StopAsync();
            await app.DisposeAsync();
        }
    }

    private async Task<IResult> Receive(HttpRequest request)
    {
        using var buffer = new MemoryStream();
        await request.Body.CopyToAsync(buffer);
        var answer = FailWith ?? (Interlocked.Decrement(ref _failNext) >= 0 ? 503 : 204);
        var hook = new ReceivedHook(
            buffer.ToArray(),
            request.ContentType,
            request.Headers["X-Orchestrator-Signature"].ToString(),
            long.Parse(request.Headers["X-Orchestrator-Revision"].ToString(), CultureInfo.InvariantCulture),
            request.Headers["X-Orchestrator-Subject"].ToString(),
            request.Headers["X-Orchestrator-Delivery"].ToString(),
            request.Headers["X-Orchestrator-Timestamp"].ToString(),
            answer);
        lock (_sync)
        {
            _received.Add(hook);
        }
        if (OnReceive is { } onReceive)
        {
            await onReceive(hook);
        }
        return answer == 204 ? Results.NoContent() : Results.Text(RefusalBody, statusCode: answer);
    }

    public ValueTask DisposeAsync() => new(StopAsync());
}

/// <summary>One request as the receiver got it, and the status it answered.</summary>
public sealed record ReceivedHook(byte[] Body, string? ContentType, string Signature, long Revision, string Subject, string DeliveryId, string Timestamp, int Answer)
{
    /// <summary>What a receiver should check, as docs/api.md shows it: the HMAC of <c>{timestamp}.{deliveryId}.{body}</c>.</summary>
    public bool SignedWith(string secret)
    {
        var signed = Encoding.UTF8.GetBytes($"{Timestamp}.{DeliveryId}.").Concat(Body).ToArray();
        var expected = "sha256=" + Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), signed));
        return CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(expected), Encoding.ASCII.GetBytes(Signature));
    }

    public override string ToString() => $"r{Revision}:{Answer}";
}
