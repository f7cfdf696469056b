using Orchestrator.Api.Common;
using Orchestrator.GrainInterfaces;
using Orchestrator.Runtime.Persistence.DeadLetters;

namespace Orchestrator.Api.Instances;

/// <summary>
/// The parked messages of a run: those of its instance, its steps and targets (their keys start with the instance's
/// id and ':'), and its status hook's. Shown with the run so that an operator sees what could not be applied and
/// why, without a database console. The arguments are never shown: they may hold the run's secret parameters.
/// </summary>
internal static class InstanceDeadLetters
{
    /// <summary>Parked messages listed with one run; a run with more has a bigger problem than a list can show.</summary>
    private const int Limit = 50;

    public static async Task<List<DeadLetterView>> ListAsync(GrainClient client, string instanceId, CancellationToken cancellationToken)
    {
        var subject = HookSubjects.Instance(instanceId);
        var letters = (await client.DeadLetters.ListByTargetKeyPrefixAsync(instanceId, 0, Limit, cancellationToken))
            .Where(l => l.TargetType switch
            {
                "instance" => l.TargetKey == instanceId,
                "step" or "target" => l.TargetKey.StartsWith(instanceId + ":", StringComparison.Ordinal),
                _ => false,
            })
            .Concat((await client.DeadLetters.ListByTargetKeyPrefixAsync(subject, 0, Limit, cancellationToken))
                .Where(l => l.TargetType == "statushook" && l.TargetKey == subject))
            .OrderBy(l => l.Id)
            .Take(Limit);
        return [.. letters.Select(View)];
    }

    /// <summary>A parked message as the API shows it: what it asked (a method, or a wake-up of the grain's own), never its arguments.</summary>
    public static DeadLetterView View(ParkedMessage letter) =>
        new(letter.Id, letter.TargetType, letter.TargetKey, MethodOf(letter), letter.Error, letter.Attempts, letter.FirstSentAt, letter.ParkedAt);

    private static string MethodOf(ParkedMessage letter) =>
        DeadLetterStoreSink.WakeUpOf(letter) is { } wakeUp ? $"wake-up '{wakeUp}'" : letter.Method;
}

/// <summary>One parked message of a run, as <c>GET /api/v1/task-instances/{id}</c> lists it.</summary>
public sealed record DeadLetterView(long MessageId, string GrainType, string GrainKey, string Method, string Error, int Attempts, DateTimeOffset EnqueuedAt, DateTimeOffset ParkedAt);
