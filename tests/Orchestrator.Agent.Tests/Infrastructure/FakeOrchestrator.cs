using System.Net;
using System.Security.Cryptography;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Orchestrator.Agent.Protocol;

namespace Orchestrator.Agent.Tests.Infrastructure;

/// <summary>
/// Stands in for the orchestrator's agent gateway, which lives in another project: a real Kestrel server on
/// 127.0.0.1 that implements the agent protocol in memory — assignment queues per host, cancellations repeated while
/// the agent lists the id, events recorded, log chunks stored once per (assignment, seq), files by SHA-256. Its state
/// outlives <see cref="StopAsync"/>, so a test can stop the "API" and start it again on the same port.
/// </summary>
public sealed class FakeOrchestrator : IAsyncDisposable
{
    public const string Token = "test-agent-token";

    private readonly Lock gate = new();
    private readonly List<RegisterRequest> registrations = [];
    private readonly List<HeartbeatRequest> heartbeats = [];
    private readonly List<PollRequest> polls = [];
    private readonly List<AgentEvent> events = [];
    private readonly List<LogsCall> logCalls = [];
    private readonly List<string> refusedPaths = [];
    private readonly Dictionary<(string AssignmentId, long Seq), LogChunkDto> chunks = [];
    private readonly Dictionary<string, Queue<Assignment>> queues = new(StringComparer.Ordinal);
    private readonly HashSet<string> cancelRequested = new(StringComparer.Ordinal);
    private readonly HashSet<string> delivered = new(StringComparer.Ordinal);
    private readonly Dictionary<string, byte[]> files = new(StringComparer.OrdinalIgnoreCase);
    private TaskCompletionSource changed = NewSource();
    private WebApplication? app;
    private readonly HashSet<string> sessions = new(StringComparer.Ordinal);
    private int duplicateChunks;
    private int failRemaining;
    private int refused;
    private int maxAssignmentsAsked;
    private int serverErrors;

    private FakeOrchestrator()
    {
    }

    public int Port { get; private set; }

    public Uri Address => new($"http://127.0.0.1:{Port}");

    public int HeartbeatIntervalMs { get; set; } = 200;

    public int PollWaitMs { get; set; } = 1000;

    /// <summary>Hand out everything queued for the polled hosts, however many the agent asked for.</summary>
    public bool IgnoreMaxAssignments { get; set; }

    /// <summary>The bearer token accepted; anything else gets 401.</summary>
    public string AcceptedToken { get; set; } = Token;

    /// <summary>Answer session calls from sessions not registered since the last <see cref="ForgetSessions"/> with 404.</summary>
    public bool RequireKnownSession { get; set; }

    /// <summary>Events and chunks of these assignments make their whole /events or /logs request a 400.</summary>
    public Func<string, bool> RejectAssignment { get; set; } = _ => false;

    /// <summary>A reason to refuse a chunk with (listed in the 200's <c>refused</c>, as the real gateway does), or null.</summary>
    public Func<LogChunkDto, string?> RefuseChunk { get; set; } = _ => null;

    /// <summary>A reason to refuse an event with, or null.</summary>
    public Func<AgentEvent, string?> RefuseEvent { get; set; } = _ => null;

    /// <summary>A /logs request holding a chunk this matches is answered 500 (a server failing on that chunk).</summary>
    public Func<LogChunkDto, bool> FailChunk { get; set; } = _ => false;

    /// <summary>The clock the server stamps what it records with (<see cref="LogCalls"/>).</summary>
    public TimeProvider Clock { get; set; } = TimeProvider.System;

    /// <summary>/logs requests answered 500 so far.</summary>
    public int ServerErrors => Snapshot(() => serverErrors);

    /// <summary>Requests refused with a status (e.g. 401s, or 503s from an API that is up but unhealthy).</summary>
    public int Refused => Snapshot(() => refused);

    /// <summary>Answers the next <paramref name="count"/> requests with 503.</summary>
    public void FailNextRequests(int count) => Record(() => failRemaining = count);

    /// <summary>Forgets every session, as a gateway that lost its memory would.</summary>
    public void ForgetSessions() => Record(sessions.Clear);

    public static async Task<FakeOrchestrator> StartNewAsync()
    {
        var server = new FakeOrchestrator();
        await server.StartAsync();
        return server;
    }

    /// <summary>Starts listening: on a free port the first time, on the same port after <see cref="StopAsync"/>.</summary>
    public async Task StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(k => k.Listen(IPAddress.Loopback, Port));
        builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = TimeSpan.FromSeconds(2));
        var application = builder.Build();
        Map(application);
        await application.StartAsync();
        Port = new Uri(application.Urls.First()).Port;
        app = application;
    }

    /// <summary>Stops listening (as an API restart would); the in-memory state stays.</summary>
    public async Task StopAsync()
    {
        if (app is { } running)
        {
            app = null;
            await running.StopAsync();
            await running.DisposeAsync();
        }
    }

    public async ValueTask DisposeAsync() => await StopAsync();

    public void Enqueue(params Assignment[] assignments)
    {
        lock (gate)
        {
            foreach (var assignment in assignments)
            {
                if (!queues.TryGetValue(assignment.Host, out var queue))
                {
                    queues[assignment.Host] = queue = new Queue<Assignment>();
                }
                queue.Enqueue(assignment);
            }
            Signal();
        }
    }

    /// <summary>Asks the agent to kill the assignment; repeated at every poll that lists it, like a real server would.</summary>
    public void Cancel(string assignmentId)
    {
        lock (gate)
        {
            cancelRequested.Add(assignmentId);
            Signal();
        }
    }

    public void CancelEverything()
    {
        lock (gate)
        {
            cancelRequested.UnionWith(delivered);
            Signal();
        }
    }

    public string PutFile(byte[] content)
    {
        var sha = Convert.ToHexStringLower(SHA256.HashData(content));
        PutFile(sha, content);
        return sha;
    }

    /// <summary>Stores content under any key — a wrong one makes the agent see a checksum mismatch.</summary>
    public void PutFile(string sha256, byte[] content)
    {
        lock (gate)
        {
            files[sha256] = content;
        }
    }

    public byte[]? File(string sha256)
    {
        lock (gate)
        {
            return files.GetValueOrDefault(sha256);
        }
    }

    public IReadOnlyList<RegisterRequest> Registrations() => Snapshot(() => registrations.ToArray());

    public IReadOnlyList<HeartbeatRequest> Heartbeats() => Snapshot(() => heartbeats.ToArray());

    public IReadOnlyList<PollRequest> Polls() => Snapshot(() => polls.ToArray());

    public IReadOnlyList<AgentEvent> Events() => Snapshot(() => events.ToArray());

    /// <summary>Every /logs request that got past the session check, in order, with its status (200 or 500).</summary>
    public IReadOnlyList<LogsCall> LogCalls() => Snapshot(() => logCalls.ToArray());

    /// <summary>The paths of requests refused with a status (<see cref="Refused"/>), in order.</summary>
    public IReadOnlyList<string> RefusedPaths() => Snapshot(() => refusedPaths.ToArray());

    public IReadOnlyList<AgentEvent> Events(string assignmentId) => Snapshot(() => events.Where(e => e.AssignmentId == assignmentId).ToArray());

    public AgentEvent? Finished(string assignmentId) =>
        Snapshot(() => events.FirstOrDefault(e => e.AssignmentId == assignmentId && e.Type == AgentEventType.Finished));

    public int FinishedCount() => Snapshot(() => events.Where(e => e.Type == AgentEventType.Finished).Select(e => e.AssignmentId).Distinct().Count());

    /// <summary>The stored chunks of an assignment in sequence order.</summary>
    public IReadOnlyList<LogChunkDto> Chunks(string assignmentId) =>
        Snapshot(() => chunks.Values.Where(c => c.AssignmentId == assignmentId).OrderBy(c => c.Seq).ToArray());

    /// <summary>The stored log of an assignment: its chunks' text in sequence order, optionally of one stream.</summary>
    public string Log(string assignmentId, string? stream = null) =>
        string.Concat(Chunks(assignmentId).Where(c => stream is null || c.Stream == stream).Select(c => c.Text));

    /// <summary>Chunks that arrived again after they were stored (resends after a lost acknowledgement).</summary>
    public int DuplicateChunks => Snapshot(() => duplicateChunks);

    public int MaxAssignmentsAsked => Snapshot(() => maxAssignmentsAsked);

    public int Queued(string host) => Snapshot(() => queues.TryGetValue(host, out var queue) ? queue.Count : 0);

    /// <summary>Waits for an assignment's Finished event.</summary>
    public Task<AgentEvent> WaitForFinishedAsync(string assignmentId, TimeSpan? timeout = null) =>
        Eventually.Until(() => Finished(assignmentId), e => e is not null, $"Finished of {assignmentId}; events: {Describe(assignmentId)}", timeout)!;

    public string Describe(string assignmentId) =>
        string.Join("; ", Events(assignmentId).Select(e => $"{e.Type} {e.Outcome} {e.ExitCode}")) + $" | log: {Log(assignmentId)}";

    private T Snapshot<T>(Func<T> read)
    {
        lock (gate)
        {
            return read();
        }
    }

    private void Signal()
    {
        var previous = changed;
        changed = NewSource();
        previous.TrySetResult();
    }

    private static TaskCompletionSource NewSource() => new(TaskCreationOptions.RunContinuationsAsynchronously);

    private void Map(WebApplication application)
    {
        var api = application.MapGroup("/api/v1/agent");
        api.AddEndpointFilter(async (context, next) =>
        {
            var status = Snapshot(() =>
            {
                var refuse = context.HttpContext.Request.Headers.Authorization.ToString() != "Bearer " + AcceptedToken ? 401 : failRemaining > 0 ? 503 : 0;
                failRemaining = refuse == 503 ? failRemaining - 1 : failRemaining;
                refused += refuse == 0 ? 0 : 1;
                if (refuse != 0)
                {
                    refusedPaths.Add(context.HttpContext.Request.Path.Value ?? "");
                }
                return refuse;
            });
            return status == 0 ? await next(context) : Results.StatusCode(status);
        });
        api.MapPost("/register", async (HttpContext http) =>
        {
            var request = await Read<RegisterRequest>(http);
            Record(() =>
            {
                registrations.Add(request);
                sessions.Add(request.SessionId);
            });
            return Json(new RegisterResponse(HeartbeatIntervalMs, PollWaitMs));
        });
        api.MapPost("/heartbeat", async (HttpContext http) =>
        {
            var request = await Read<HeartbeatRequest>(http);
            if (UnknownSession(request.SessionId))
            {
                return Results.NotFound();
            }
            Record(() => heartbeats.Add(request));
            return Results.Ok();
        });
        api.MapPost("/poll", (HttpContext http, IHostApplicationLifetime lifetime) => PollAsync(http, lifetime.ApplicationStopping));
        api.MapPost("/events", async (HttpContext http) =>
        {
            var request = await Read<EventsRequest>(http);
            if (UnknownSession(request.SessionId))
            {
                return Results.NotFound();
            }
            if (request.Events.Any(e => RejectAssignment(e.AssignmentId)))
            {
                return Results.BadRequest();
            }
            var refusedItems = request.Events.Select((e, i) => (Reason: RefuseEvent(e), Index: i)).Where(r => r.Reason is not null)
                .Select(r => new ItemProblem(r.Index, $"events[{r.Index}]", r.Reason!)).ToList();
            Record(() => events.AddRange(request.Events.Where((_, i) => !refusedItems.Any(r => r.Index == i))));
            return Json(new AckResponse(request.Events.Count - refusedItems.Count) { Refused = refusedItems.Count > 0 ? refusedItems : null });
        });
        api.MapPost("/logs", async (HttpContext http) =>
        {
            var request = await Read<LogsRequest>(http);
            if (UnknownSession(request.SessionId))
            {
                return Results.NotFound();
            }
            if (request.Chunks.Any(c => RejectAssignment(c.AssignmentId)))
            {
                return Results.BadRequest();
            }
            if (request.Chunks.Any(FailChunk))
            {
                Record(() =>
                {
                    serverErrors++;
                    logCalls.Add(new LogsCall(Clock.GetUtcNow(), request.Chunks, 500));
                });
                return Results.Problem(statusCode: 500, title: "The chunks could not be stored.");
            }
            var refusedChunks = request.Chunks.Select((c, i) => (Reason: RefuseChunk(c), Index: i)).Where(r => r.Reason is not null)
                .Select(r => new ItemProblem(r.Index, $"chunks[{r.Index}].text", r.Reason!)).ToList();
            Record(() =>
            {
                logCalls.Add(new LogsCall(Clock.GetUtcNow(), request.Chunks, 200));
                foreach (var chunk in request.Chunks.Where((_, i) => !refusedChunks.Any(r => r.Index == i)))
                {
                    if (!chunks.TryAdd((chunk.AssignmentId, chunk.Seq), chunk))
                    {
                        duplicateChunks++;
                    }
                }
            });
            return Json(new AckResponse(request.Chunks.Count - refusedChunks.Count) { Refused = refusedChunks.Count > 0 ? refusedChunks : null });
        });
        api.MapGet("/files/{sha256}", (string sha256) => File(sha256) is { } content ? Results.Bytes(content, "application/octet-stream") : Results.NotFound());
        api.MapPut("/files", async (HttpContext http) =>
        {
            using var buffer = new MemoryStream();
            await http.Request.Body.CopyToAsync(buffer, http.RequestAborted);
            var sha = PutFile(buffer.ToArray());
            return Json(new { sha256 = sha, size = buffer.Length });
        });
    }

    private async Task<IResult> PollAsync(HttpContext http, CancellationToken stopping)
    {
        var request = await Read<PollRequest>(http);
        if (UnknownSession(request.SessionId))
        {
            return Results.NotFound();
        }
        Record(() =>
        {
            polls.Add(request);
            maxAssignmentsAsked = Math.Max(maxAssignmentsAsked, request.MaxAssignments);
        });
        using var wait = CancellationTokenSource.CreateLinkedTokenSource(http.RequestAborted, stopping);
        wait.CancelAfter(Math.Min(request.WaitMs, PollWaitMs));
        while (true)
        {
            Task next;
            lock (gate)
            {
                var cancel = request.Running.Where(cancelRequested.Contains).ToList();
                var assigned = new List<Assignment>();
                var max = IgnoreMaxAssignments ? int.MaxValue : request.MaxAssignments;
                foreach (var host in request.Hosts)
                {
                    if (assigned.Count >= max)
                    {
                        break;
                    }
                    if (queues.TryGetValue(host, out var queue))
                    {
                        while (assigned.Count < max && queue.TryDequeue(out var assignment))
                        {
                            assigned.Add(assignment);
                            delivered.Add(assignment.Id);
                        }
                    }
                }
                if (cancel.Count > 0 || assigned.Count > 0)
                {
                    Signal();
                    return Json(new PollResponse(assigned, cancel));
                }
                next = changed.Task;
            }
            try
            {
                await next.WaitAsync(wait.Token);
            }
            catch (OperationCanceledException)
            {
                return Json(new PollResponse([], []));
            }
        }
    }

    private bool UnknownSession(string sessionId) => Snapshot(() => RequireKnownSession && !sessions.Contains(sessionId));

    private void Record(Action change)
    {
        lock (gate)
        {
            change();
            Signal();
        }
    }

    private static async Task<T> Read<T>(HttpContext http) =>
        await http.Request.ReadFromJsonAsync<T>(ProtocolJson.Options, http.RequestAborted) ?? throw new BadHttpRequestException("empty body");

    private static IResult Json<T>(T value) => Results.Json(value, ProtocolJson.Options);
}

/// <summary>A /logs request as the fake server saw it: when (on its <see cref="FakeOrchestrator.Clock"/>), what, and the answer's status.</summary>
public sealed record LogsCall(DateTimeOffset At, IReadOnlyList<LogChunkDto> Chunks, int Status)
{
    public override string ToString() => $"{At:HH:mm:ss.fff} {Status} [{string.Join(", ", Chunks.Select(c => $"{c.AssignmentId}#{c.Seq}"))}]";
}
