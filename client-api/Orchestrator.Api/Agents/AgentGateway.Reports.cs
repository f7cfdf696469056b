using System.Data.Common;
using Microsoft.Extensions.Logging;
using Orchestrator.Agent.Protocol;
using Orchestrator.Api.Common;
using Orchestrator.GrainInterfaces;
using Orchestrator.Runtime.Indexes;
using Orchestrator.Runtime.Logs;

namespace Orchestrator.Api.Agents;

/// <summary>
/// /events and /logs answer per item: 200 with <see cref="AckResponse"/> whenever the envelope is well-formed, listing
/// the items refused (a rule broken: the agent drops them with a marker in the run's log) and the items that failed
/// on the server's side (the agent sends them again). So no single report an agent sends can wedge its host: a bad
/// item is never answered with a status that makes the agent resend the whole batch forever.
/// </summary>
public static partial class AgentGateway
{
    private static async Task<Results<Ok<AckResponse>, ProblemHttpResult>> Events(HttpRequest http, ApiContext api, ILoggerFactory loggers, CancellationToken cancellationToken)
    {
        var (document, problem) = await AgentRequests.ReadAsync(http, AgentRequests.MaxEventsBytes, cancellationToken);
        if (problem is not null)
        {
            return problem;
        }
        var errors = new List<FieldError>();
        var refused = new List<ItemProblem>();
        (string SessionId, List<(int Index, AgentEvent Event, string TargetKey)> Events)? request;
        using (document)
        {
            request = AgentRequests.Events(document!.RootElement, api.Clock.GetUtcNow(), errors, refused);
        }
        if (request is not { } valid)
        {
            return AgentRequests.Invalid(errors);
        }
        var client = api.Client;
        var (events, refusal) = await HeldItemsAsync(http.HttpContext, client.Indexes, valid.SessionId, valid.Events, e => e.TargetKey, e => e.Index, "events",
            refused, cancellationToken);
        if (refusal is not null)
        {
            return refusal;
        }
        valid = (valid.SessionId, events);
        var logger = loggers.CreateLogger(typeof(AgentGateway));
        var results = await Task.WhenAll(valid.Events.Select(async item =>
        {
            var (index, e, targetKey) = item;
            try
            {
                await Deduped.CallAsync(AgentEventMapping.DedupeKey(e),
                    () => client.GetGrain<IHostTargetGrain>(targetKey).OnAgentEvent(AgentEventMapping.ToTargetEvent(e, valid.SessionId)));
                return null;
            }
            catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
            {
                // One event's command could not be stored (the store failed): the others may have been; this one is
                // sent again by the agent, and its dedupe key makes a repeat harmless.
                Log.EventNotStored(logger, e.AssignmentId, AgentEventMapping.Name(e.Type), ex);
                return new ItemProblem(index, null, $"could not be stored ({ex.GetType().Name}); send it again.");
            }
        }));
        var failed = results.OfType<ItemProblem>().ToList();
        LogRefusals(logger, "event", refused);
        return TypedResults.Ok(new AckResponse(valid.Events.Count - failed.Count)
        {
            Refused = refused.Count > 0 ? refused : null,
            Failed = failed.Count > 0 ? failed : null,
        });
    }

    private static async Task<Results<Ok<AckResponse>, ProblemHttpResult>> Logs(HttpRequest http, ApiContext api, ILoggerFactory loggers, CancellationToken cancellationToken)
    {
        var (document, problem) = await AgentRequests.ReadAsync(http, AgentRequests.MaxLogsBytes, cancellationToken);
        if (problem is not null)
        {
            return problem;
        }
        var errors = new List<FieldError>();
        var refused = new List<ItemProblem>();
        (string SessionId, List<(int Index, LogChunkDto Chunk)> Chunks)? request;
        using (document)
        {
            request = AgentRequests.Logs(document!.RootElement, api.Clock.GetUtcNow(), errors, refused);
        }
        if (request is not { } valid)
        {
            return AgentRequests.Invalid(errors);
        }
        var (chunks, refusal) = await HeldItemsAsync(http.HttpContext, api.Client.Indexes, valid.SessionId, valid.Chunks,
            c => GrainKeys.TryParseAssignment(c.Chunk.AssignmentId, out var target, out _) ? target : "", c => c.Index, "chunks", refused, cancellationToken);
        if (refusal is not null)
        {
            return refusal;
        }
        valid = (valid.SessionId, chunks);
        var logger = loggers.CreateLogger(typeof(AgentGateway));
        LogRefusals(logger, "chunk", refused);
        if (valid.Chunks.Count > 0)
        {
            try
            {
                await api.Client.Logs.AppendAsync([.. valid.Chunks.Select(c => new LogChunk(c.Chunk.AssignmentId, c.Chunk.Seq, c.Chunk.At, c.Chunk.Stream, c.Chunk.Text))],
                    cancellationToken);
            }
            catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
            {
                // The append is one transaction: nothing of this batch was stored. A store that cannot be reached is
                // an outage (503: the agent waits and resends); anything else is this batch's own failure (500: the
                // agent splits the batch and, in the end, sets aside the one chunk that keeps failing).
                Log.ChunksNotStored(logger, valid.Chunks.Count, ex);
                var transient = ex is DbException { IsTransient: true } or TimeoutException;
                return TypedResults.Problem(
                    title: transient ? "The log store is unavailable." : "The chunks could not be stored.",
                    detail: $"{ex.GetType().Name}; nothing of this request was stored, send it again.",
                    statusCode: transient ? StatusCodes.Status503ServiceUnavailable : StatusCodes.Status500InternalServerError);
            }
        }
        return TypedResults.Ok(new AckResponse(valid.Chunks.Count) { Refused = refused.Count > 0 ? refused : null });
    }

    /// <summary>
    /// The items of an /events or /logs batch whose hosts the calling session holds (<see cref="AgentHostHolds"/>).
    /// A body naming another session than the credential's is refused whole (403); a host no session holds makes the
    /// whole batch a 410 (the agent registers again and sends it again); an item of a host another session holds now
    /// is refused alone, so it cannot wedge the batch.
    /// </summary>
    private static async Task<(List<T> Held, ProblemHttpResult? Refusal)> HeldItemsAsync<T>(HttpContext http, IIndexReader indexes, string session, List<T> items,
        Func<T, string> targetKey, Func<T, int> index, string field, List<ItemProblem> refused, CancellationToken cancellationToken)
    {
        if (AgentAccess.RefuseOtherSession(http, session) is { } other)
        {
            return ([], other);
        }
        var hostOf = items.Select(i => AgentHostHolds.HostOf(targetKey(i))).ToList();
        var holds = await http.RequestServices.GetRequiredService<RecentHolds>().ReadAsync(indexes, session, hostOf.OfType<string>(), cancellationToken);
        if (holds.Where(h => h.Value == HostHold.Released).Select(h => h.Key).ToList() is { Count: > 0 } released)
        {
            return ([], AgentHostHolds.Released(released));
        }
        var held = new List<T>(items.Count);
        for (var i = 0; i < items.Count; i++)
        {
            if (hostOf[i] is { } host && holds[host] == HostHold.Elsewhere)
            {
                refused.Add(new ItemProblem(index(items[i]), $"{field}[{index(items[i])}].assignmentId", AgentHostHolds.ElsewhereReason(host)));
            }
            else
            {
                held.Add(items[i]);
            }
        }
        return (held, null);
    }

    private static void LogRefusals(ILogger logger, string kind, List<ItemProblem> refused)
    {
        foreach (var item in refused.Take(5))
        {
            Log.ItemRefused(logger, kind, item.Index, item.Reason);
        }
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 4200, Level = LogLevel.Warning, Message = "Agent {Kind} #{Index} of a batch was refused: {Reason}")]
        public static partial void ItemRefused(ILogger logger, string kind, int index, string reason);

        [LoggerMessage(EventId = 4201, Level = LogLevel.Error, Message = "Agent event {Type} of {AssignmentId} could not be stored")]
        public static partial void EventNotStored(ILogger logger, string assignmentId, string type, Exception exception);

        [LoggerMessage(EventId = 4202, Level = LogLevel.Error, Message = "{Count} agent log chunks could not be stored")]
        public static partial void ChunksNotStored(ILogger logger, int count, Exception exception);
    }
}
