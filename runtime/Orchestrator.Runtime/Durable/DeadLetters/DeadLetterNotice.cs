using System.Text.Json;
using System.Text.Json.Serialization;
using Orleans;

namespace Orchestrator.Runtime.Durable;

/// <summary>
/// A message to this grain that was parked: its id among the dead letters, what it asked (<see cref="Method"/> of a
/// grain interface, or the wake-up <see cref="Reminder"/> that kept failing), the last error, how often it was tried and
/// when it was parked.
/// </summary>
[GenerateSerializer, Immutable]
public sealed record DeadLetterNotice(
    [property: Id(0)] long MessageId,
    [property: Id(1)] string Method,
    [property: Id(2)] string Error,
    [property: Id(3)] int Attempts,
    [property: Id(4)] DateTimeOffset ParkedAt)
{
    /// <summary>The wake-up whose firing failed; null for a call.</summary>
    [Id(5)] public string? Reminder { get; init; }

    /// <summary>The failed call's interface (as stored in the outbox), to read <see cref="Arguments"/> back.</summary>
    [Id(6)] public string? Interface { get; init; }

    /// <summary>The failed call's arguments as the outbox stored them (a JSON array); null for a wake-up.</summary>
    [Id(7)] public string? ArgumentsJson { get; init; }

    /// <summary>The failed call's arguments, read back; empty for a wake-up or when they cannot be read.</summary>
    [JsonIgnore]
    public IReadOnlyList<object?> Arguments => ReadArguments();

    /// <summary>The first argument of type <typeparamref name="T"/>, if the failed call had one.</summary>
    public T? Argument<T>()
        where T : class =>
        Arguments.OfType<T>().FirstOrDefault();

    private IReadOnlyList<object?> ReadArguments()
    {
        if (Interface is null || ArgumentsJson is null)
        {
            return [];
        }
        try
        {
            var method = OutboxCalls.ResolveMethod(OutboxCalls.ResolveInterface(Interface), Method);
            return OutboxCalls.DeserializeArguments(method, new RawJson(System.Text.Encoding.UTF8.GetBytes(ArgumentsJson)));
        }
        catch (InvalidOutboxCallException)
        {
            return [];
        }
        catch (JsonException)
        {
            return [];
        }
    }
}
