using System.Security.Cryptography;
using Microsoft.AspNetCore.Authentication;
using System.Text;
using Orchestrator.Agent.Protocol;
using Orchestrator.Api.Common;
using Orchestrator.GrainInterfaces;
using Orchestrator.Runtime.Indexes;
using Orchestrator.Runtime.Logs;

namespace Orchestrator.Api.Agents;

/// <summary>
/// /api/v1/agent: the agent protocol (docs/agent-protocol.md). Agents pull assignments from index rows the host
/// targets write; their events become commands with dedupe keys, so a resent event is applied once; log chunks are
/// stored once per (assignment, seq). An agent registers with the registration token and calls with the credential it
/// got back (<see cref="AgentCredentials"/>, <see cref="AgentAccess"/>). Bodies are read and checked by <see cref="AgentRequests"/>: a bad envelope is a
/// 400 naming the field, a bad item of a report batch is refused alone (see AgentGateway.Reports.cs).
/// </summary>
public static partial class AgentGateway
{
    public static RouteGroupBuilder MapAgentGateway(this IEndpointRouteBuilder routes, Hosting.ApiOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var credentials = new AgentCredentials(options.AgentToken);
        var group = routes.MapGroup("/api/v1/agent").WithTags("Agent protocol");
        group.MapPost("/register", (HttpRequest http, ApiContext api, CancellationToken cancellationToken) => Register(http, api, credentials, cancellationToken))
            .AddEndpointFilter(RequireRegistrationToken).WithMetadata(Body<RegisterRequest>());
        // Every later call presents the credential /register answered with (AgentAccess).
        var session = group.MapGroup("").AddEndpointFilter((context, next) => AgentAccess.RequireCredentialAsync(context, next, credentials));
        session.MapPost("/heartbeat", Heartbeat).WithMetadata(Body<HeartbeatRequest>());
        session.MapPost("/poll", Poll).WithMetadata(Body<PollRequest>());
        session.MapPost("/events", Events).WithMetadata(Body<EventsRequest>());
        session.MapPost("/logs", Logs).WithMetadata(Body<LogsRequest>());
        session.MapGet("/files/{sha256}", DownloadFile).WithMetadata(Files.FilesApi.Content);
        // An agent uploads a host's file (a file distribution's source) under the same limit as POST /api/v1/files;
        // without it the server's default (30,000,000 bytes) would refuse files the 413 message says are allowed.
        session.MapPut("/files", Files.FilesApi.Upload).WithMetadata(new BodyLimit(options.MaxUploadBytes), Files.FilesApi.Body);
        return group;
    }

    /// <summary>
    /// A file to distribute. An agent bound to a namespace (registered with that namespace's token) gets only files
    /// of its namespace — uploaded into it, or taken from one of its hosts by a step; any other reads as absent.
    /// </summary>
    private static async Task<Results<FileStreamHttpResult, ProblemHttpResult>> DownloadFile(string sha256, HttpContext http, ApiContext api, CancellationToken cancellationToken)
    {
        if (AgentAccess.ScopeOf(http) is { } scope && sha256.Length == 64 && sha256.All(char.IsAsciiHexDigitLower)
            && (await api.Client.Indexes.GetAsync(IndexKinds.File, scope, [sha256], cancellationToken)).Count == 0)
        {
            return Problems.NotFound($"No file {sha256}.");
        }
        return await Files.FilesApi.Download(sha256, http, api, cancellationToken);
    }

    /// <summary>A protocol message as a request body, for the OpenAPI document (docs/agent-protocol.md).</summary>
    private static Hosting.DescribedBody Body<T>() => new(typeof(T), true, "A message of the agent protocol (docs/agent-protocol.md).", ["application/json"]);

    private const string RegistrarItem = "orch.agent.registrar";

    /// <summary>
    /// Who may register: the registration token (hosts into any namespace), or a caller of the API — an API token or a
    /// JWT — holding the <c>agent</c> role (or admin) on the namespace the hosts register in, which <see cref="Register"/>
    /// checks once it has read that namespace.
    /// </summary>
    private static async ValueTask<object?> RequireRegistrationToken(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var http = context.HttpContext;
        var expected = http.RequestServices.GetRequiredService<Hosting.ApiOptions>().AgentToken;
        var given = Identity.Bearer.Of(http.Request) ?? "";
        if (expected.Length > 0 && CryptographicOperations.FixedTimeEquals(SHA256.HashData(Encoding.UTF8.GetBytes(given)), SHA256.HashData(Encoding.UTF8.GetBytes(expected))))
        {
            return await next(context);
        }
        if (given.Length > 0 && await http.AuthenticateAsync(Identity.IdentityRegistration.Scheme) is { Succeeded: true } caller)
        {
            http.Items[RegistrarItem] = caller.Principal;
            return await next(context);
        }
        return AgentAccess.Unauthorized(http,
            "A valid registration token is required to register (Authorization: Bearer <token>): the server's agent registration token, or an API token holding the 'agent' role on the namespace the hosts register in.");
    }

    /// <summary>
    /// Why a caller registering with its own token (not the registration token) may not register these hosts: it lacks
    /// the agent role on their namespace, or a host is already in another namespace (only the registration token moves
    /// hosts between namespaces). Null when it may.
    /// </summary>
    private static async Task<ProblemHttpResult?> RefuseRegistrarAsync(HttpContext http, System.Security.Claims.ClaimsPrincipal registrar, string ns, IReadOnlyList<string> hosts,
        IIndexReader indexes, CancellationToken cancellationToken)
    {
        if (!Identity.CallerClaims.GrantsOf(registrar).Allows(ns, Identity.Role.Agent))
        {
            return Identity.Access.Forbidden(http,
                $"registering hosts in namespace '{ns}' needs the 'agent' role (or admin) there; the caller holds it on {Describe(Identity.CallerClaims.GrantsOf(registrar))}.");
        }
        var elsewhere = (await indexes.GetAsync(IndexKinds.Host, "", hosts, cancellationToken))
            .Select(r => (r.Key, Namespace: r.Data is null ? Orchestrator.Plans.Model.Namespaces.Default : Orchestrator.Plans.Model.Namespaces.Of(IndexJson.Parse<HostIndexData>(r.Data).Namespace)))
            .Where(h => h.Namespace != ns).ToList();
        return elsewhere.Count == 0
            ? null
            : Identity.Access.Forbidden(http, $"host(s) {string.Join(", ", elsewhere.Take(10).Select(h => $"{h.Key} (namespace '{h.Namespace}')"))} are registered in another namespace; "
                + "a namespace's token cannot take them (the server's agent registration token can).");
    }

    private static string Describe(Identity.AccessGrants grants)
    {
        var where = grants.ToNames().Where(g => g.Value.Contains("agent") || g.Value.Contains("admin")).Select(g => $"'{g.Key}'").ToList();
        return where.Count == 0 ? "no namespace" : string.Join(", ", where);
    }

    private static async Task<Results<Ok<RegisterResponse>, ProblemHttpResult>> Register(HttpRequest http, ApiContext api, AgentCredentials credentials, CancellationToken cancellationToken)
    {
        var (document, problem) = await AgentRequests.ReadAsync(http, AgentRequests.MaxRegisterBytes, cancellationToken);
        if (problem is not null)
        {
            return problem;
        }
        var errors = new List<FieldError>();
        RegisterRequest? request;
        using (document)
        {
            request = AgentRequests.Register(document!.RootElement, errors);
        }
        if (request is null)
        {
            return AgentRequests.Invalid(errors);
        }
        var registrar = http.HttpContext.Items[RegistrarItem] as System.Security.Claims.ClaimsPrincipal;
        Audit.AuditRecording.NoteSubject(http.HttpContext, AgentIds.HostList(request.Hosts.Select(h => h.Host)),
            registrar is null ? "agent" : $"agent ({Identity.CallerClaims.NameOf(registrar)})");
        var client = api.Client;
        var ns = Orchestrator.Plans.Model.Namespaces.Of(request.Namespace);
        if (registrar is not null && await RefuseRegistrarAsync(http.HttpContext, registrar, ns, [.. request.Hosts.Select(h => h.Host)], client.Indexes, cancellationToken) is { } refusal)
        {
            return refusal;
        }
        var revoked = await AgentAccess.ReadRevokedAsync(client.Indexes, cancellationToken);
        if (AgentAccess.RevokedHosts(revoked, request.Hosts.Select(h => h.Host)) is { Count: > 0 } refused)
        {
            return TypedResults.Problem(title: "Forbidden.", statusCode: StatusCodes.Status403Forbidden,
                detail: $"Host(s) {string.Join(", ", refused.Take(10))} were revoked by an admin; they may register again once restored (POST /api/v1/hosts/{{host}}/restore).");
        }
        await HostCalls.ForEachAsync(request.Hosts, h => client.GetGrain<IHostGrain>(h.Host)
            .Register(new HostRegistration(request.SessionId, h.Labels, h.Capacity, request.AgentVersion, request.Namespace)), cancellationToken);
        http.HttpContext.RequestServices.GetRequiredService<RecentHolds>().Forget(request.Hosts.Select(h => h.Host));
        return TypedResults.Ok(new RegisterResponse((int)api.Options.AgentHeartbeatInterval.TotalMilliseconds, (int)api.Options.AgentPollWait.TotalMilliseconds)
        {
            // Registered with a namespace's token: bound to that namespace, it is handed only that namespace's work.
            Credential = credentials.Issue(request.SessionId, registrar is null ? null : ns),
        });
    }

    private static async Task<Results<Ok<AckResponse>, ProblemHttpResult>> Heartbeat(HttpRequest http, ApiContext api, HeartbeatThrottle throttle, CancellationToken cancellationToken)
    {
        var (document, problem) = await AgentRequests.ReadAsync(http, AgentRequests.MaxSessionCallBytes, cancellationToken);
        if (problem is not null)
        {
            return problem;
        }
        var errors = new List<FieldError>();
        HeartbeatRequest? request;
        using (document)
        {
            request = AgentRequests.Heartbeat(document!.RootElement, errors);
        }
        if (request is null)
        {
            return AgentRequests.Invalid(errors);
        }
        if (AgentAccess.RefuseRevokedHosts(http.HttpContext, request.Hosts) is { } revokedHost)
        {
            return revokedHost;
        }
        var client = api.Client;
        var (held, refusal) = await HeldHostsAsync(http.HttpContext, client.Indexes, request.SessionId, request.Hosts, cancellationToken);
        if (refusal is not null)
        {
            return refusal;
        }
        await HostCalls.ForEachAsync(held.Where(h => throttle.ShouldForward(h, request.SessionId, request.Draining)),
            host => client.GetGrain<IHostGrain>(host).Heartbeat(request.SessionId, request.Draining), cancellationToken);
        return TypedResults.Ok(new AckResponse(held.Count));
    }

    private static async Task<Results<Ok<PollResponse>, ProblemHttpResult>> Poll(HttpRequest http, ApiContext api, OpenAssignments open, CancellationToken cancellationToken)
    {
        var (document, problem) = await AgentRequests.ReadAsync(http, AgentRequests.MaxSessionCallBytes, cancellationToken);
        if (problem is not null)
        {
            return problem;
        }
        var errors = new List<FieldError>();
        PollRequest? request;
        using (document)
        {
            request = AgentRequests.Poll(document!.RootElement, errors);
        }
        if (request is null)
        {
            return AgentRequests.Invalid(errors);
        }
        if (AgentAccess.RefuseRevokedHosts(http.HttpContext, request.Hosts) is { } revokedHost)
        {
            return revokedHost;
        }
        var client = api.Client;
        var (mine, refusal) = await HeldHostsAsync(http.HttpContext, client.Indexes, request.SessionId, request.Hosts, cancellationToken);
        if (refusal is not null)
        {
            return refusal;
        }
        request = request with { Hosts = mine };
        var running = request.Running.ToHashSet(StringComparer.Ordinal);
        var wait = TimeSpan.FromMilliseconds(Math.Min(request.WaitMs, (int)api.Options.AgentPollWait.TotalMilliseconds));
        var started = System.Diagnostics.Stopwatch.StartNew();
        var max = request.MaxAssignments;
        var hostSet = request.Hosts.Count > OpenAssignments.FleetThreshold ? request.Hosts.ToHashSet(StringComparer.Ordinal) : null;
        while (true)
        {
            // Keys and statuses only: a fleet's open assignments are read on every poll, their bodies only when new.
            var rows = request.Hosts.Count > OpenAssignments.FleetThreshold
                ? (await open.GetAsync(client.Indexes, cancellationToken)).Where(r => hostSet!.Contains(r.Partition)).ToList()
                : await ReadAssignmentsAsync(client.Indexes, request.Hosts, null, keysOnly: true, cancellationToken);
            var known = rows.ToDictionary(r => r.Key, StringComparer.Ordinal);
            var fresh = rows.Where(r => r.Status == (int)AssignmentState.Dispatched && !running.Contains(r.Key)).ToList();
            if (fresh.Count > 0)
            {
                // Paused and draining hosts are handed nothing new: their assignments wait, dispatched, until resumed.
                var held = await ReadHeldAsync(client.Indexes, cancellationToken);
                fresh = [.. fresh.Where(r => !held.Contains(r.Partition)).Take(max)];
                // A long poll outlives its start: a host another session registered since is no longer this one's.
                var holds = await AgentHostHolds.ReadAsync(client.Indexes, request.SessionId, fresh.Select(r => r.Partition), cancellationToken);
                fresh = [.. fresh.Where(r => holds[r.Partition] == HostHold.Held)];
            }
            var assignments = new List<Assignment>(fresh.Count);
            if (fresh.Count > 0)
            {
                var wanted = fresh.Select(r => r.Key).ToHashSet(StringComparer.Ordinal);
                var bodies = await ReadAssignmentsAsync(client.Indexes, [.. fresh.Select(r => r.Partition).Distinct(StringComparer.Ordinal)],
                    [(int)AssignmentState.Dispatched], keysOnly: false, cancellationToken);
                var scope = AgentAccess.ScopeOf(http.HttpContext);
                assignments.AddRange(bodies.Where(r => wanted.Contains(r.Key)).Select(r => IndexJson.Parse<AssignmentRecord>(r.Data!))
                    .Where(a => scope is null || a.Namespace == scope).Select(ToAssignment));
            }
            var cancel = running.Where(id => !known.TryGetValue(id, out var row) || row.Status == (int)AssignmentState.CancelRequested).ToList();
            if (assignments.Count > 0 || cancel.Count > 0 || started.Elapsed >= wait)
            {
                return TypedResults.Ok(new PollResponse(assignments, cancel));
            }
            try
            {
                await Task.Delay(api.Options.AgentPollInterval, cancellationToken);
            }
            catch (OperationCanceledException)
            {
                return TypedResults.Ok(new PollResponse([], []));
            }
        }
    }

    /// <summary>
    /// The hosts of a heartbeat or poll that the calling session holds (<see cref="AgentHostHolds"/>), or why the call is
    /// refused: a body naming another session than the credential's (403); a host no session holds (410: register
    /// again); every host held by other sessions (409). Hosts another session took are left out of the call. Read
    /// through <see cref="RecentHolds"/>; the hand-out of an assignment reads exactly.
    /// </summary>
    private static async Task<(List<string> Held, ProblemHttpResult? Refusal)> HeldHostsAsync(HttpContext http, IIndexReader indexes, string session,
        IReadOnlyList<string> hosts, CancellationToken cancellationToken)
    {
        if (AgentAccess.RefuseOtherSession(http, session) is { } other)
        {
            return ([], other);
        }
        var holds = await http.RequestServices.GetRequiredService<RecentHolds>().ReadAsync(indexes, session, hosts, cancellationToken);
        if (holds.Where(h => h.Value == HostHold.Released).Select(h => h.Key).ToList() is { Count: > 0 } released)
        {
            return ([], AgentHostHolds.Released(released));
        }
        var held = hosts.Where(h => holds[h] == HostHold.Held).Distinct(StringComparer.Ordinal).ToList();
        return held.Count == 0 ? ([], AgentHostHolds.Elsewhere(hosts)) : (held, null);
    }

    /// <summary>The hosts that take no new work (<see cref="HostHolds"/>): one small query, whatever the fleet's size.</summary>
    private static async Task<HashSet<string>> ReadHeldAsync(IIndexReader indexes, CancellationToken cancellationToken)
    {
        var rows = await indexes.QueryAsync(new IndexQuery(HostHolds.Kind, [""]) { KeysOnly = true, Limit = HostHolds.MaxRows }, cancellationToken);
        return rows.Select(r => r.Key).ToHashSet(StringComparer.Ordinal);
    }

    private static async Task<List<IndexRow>> ReadAssignmentsAsync(IIndexReader indexes, IReadOnlyList<string> hosts, IReadOnlyList<int>? statuses, bool keysOnly,
        CancellationToken cancellationToken)
    {
        var rows = new List<IndexRow>();
        string? after = null;
        while (true)
        {
            var page = await indexes.QueryAsync(new IndexQuery(IndexKinds.Assignment, hosts) { Statuses = statuses, AfterKey = after, Limit = 5000, KeysOnly = keysOnly },
                cancellationToken);
            rows.AddRange(page);
            if (page.Count < 5000)
            {
                return rows;
            }
            after = page[^1].Key;
        }
    }

    private static Assignment ToAssignment(AssignmentRecord record)
    {
        var work = record.Work;
        return new Assignment
        {
            Id = record.Id,
            Host = record.Host,
            Kind = work.Kind switch
            {
                WorkKind.Download => AssignmentKind.Download,
                WorkKind.Upload => AssignmentKind.Upload,
                WorkKind.Http => AssignmentKind.Http,
                _ => AssignmentKind.Script,
            },
            Script = work.Kind == WorkKind.Script ? new ScriptWork(work.Interpreter, work.Source, work.Args, work.Env, work.WorkingDirectory) : null,
            Files = [.. work.Files.Select(f => new FileWork(f.Name, f.Sha256, f.Size))],
            TargetDirectory = work.TargetDirectory,
            Mode = work.Mode,
            UploadPath = work.UploadPath,
            Http = work.Http is { } http
                ? new HttpWork
                {
                    Method = http.Method,
                    Url = http.Url,
                    Headers = http.Headers,
                    Body = http.Body,
                    ExpectStatus = http.ExpectStatus,
                    TimeoutMs = http.Timeout is { } t ? (int)t.TotalMilliseconds : null,
                    FollowRedirects = http.FollowRedirects ?? true,
                }
                : null,
            TimeoutMs = record.TimeoutMs,
            Secrets = work.Secrets,
            TraceParent = record.TraceParent,
        };
    }
}
