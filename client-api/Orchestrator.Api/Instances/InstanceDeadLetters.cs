using System.Text.Json;
using Orchestrator.GrainInterfaces;
using Orchestrator.Runtime.Client;

namespace Orchestrator.Api.Instances;

/// <summary>
/// The parked messages of a run: those of its instance, its steps and targets (their keys start with the instance's
/// id and ':'), and its status hook's. Shown with the run so that an operator sees what could not be applied and
/// why, without a database console. The payload is never shown: it may hold the run's secret parameters.
/// </summary>
internal static class InstanceDeadLetters
{
    /// <summary>Parked messages listed with one run; a run with more has a bigger problem than a list can show.</summary>
    private const int Limit = 50;

    public static async Task<List<DeadLetterView>> ListAsync(ClusterClient client, string instanceId, CancellationToken cancellationToken)
    {
        var subject = HookSubjects.Instance(instanceId);
        var letters = (await client.GetDeadLettersAsync(instanceId, Limit, cancellationToken))
            .Where(l => l.Grain.Type switch
            {
                "instance" => l.Grain.Key == instanceId,
                "step" or "target" => l.Grain.Key.StartsWith(instanceId + ":", StringComparison.Ordinal),
                _ => false,
            })
            .Concat((await client.GetDeadLettersAsync(subject, Limit, cancellationToken)).Where(l => l.Grain.Type == "statushook" && l.Grain.Key == subject))
            .OrderBy(l => l.MessageId)
            .Take(Limit);
        return [.. letters.Select(l => new DeadLetterView(l.MessageId, l.Grain.Type, l.Grain.Key, MethodOf(l.Payload), l.Error, l.Attempts, l.EnqueuedAt, l.ParkedAt))];
    }

    /// <summary>What the message asked: a method's name, or a reminder's tick.</summary>
    private static string MethodOf(string payload)
    {
        try
        {
            using var body = JsonDocument.Parse(payload);
            var root = body.RootElement;
            if (root.ValueKind == JsonValueKind.Object)
            {
                if (root.TryGetProperty("m", out var method) && method.ValueKind == JsonValueKind.String)
                {
                    return method.GetString()!;
                }
                if (root.TryGetProperty("r", out var reminder) && reminder.ValueKind == JsonValueKind.String)
                {
                    return $"reminder '{reminder.GetString()}'";
                }
            }
        }
        catch (JsonException)
        {
        }
        return "(unreadable)";
    }
}

/// <summary>One parked message of a run, as <c>GET /api/v1/task-instances/{id}</c> lists it.</summary>
internal sealed record DeadLetterView(long MessageId, string GrainType, string GrainKey, string Method, string Error, int Attempts, DateTimeOffset EnqueuedAt, DateTimeOffset ParkedAt);
