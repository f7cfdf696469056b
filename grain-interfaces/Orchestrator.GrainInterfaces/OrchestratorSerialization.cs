using Orchestrator.Runtime.Durable;
using Orleans.Serialization;

namespace Orchestrator.GrainInterfaces;

/// <summary>
/// How the records grains exchange cross the wire (README.md): the records of this project carry
/// <c>[GenerateSerializer]</c> (Orleans' own version-tolerant codecs); the plan model (<c>Orchestrator.Plans.*</c>, a
/// plain library without Orleans) goes as JSON with the options grain state and outbox messages use. Every silo and
/// every client of a cluster must register it.
/// </summary>
public static class OrchestratorSerialization
{
    /// <summary>The types serialized as JSON: the plan model and everything in its namespaces.</summary>
    public static bool IsPlanModel(Type type)
    {
        ArgumentNullException.ThrowIfNull(type);
        return type.Namespace is { } ns && (ns == "Orchestrator.Plans" || ns.StartsWith("Orchestrator.Plans.", StringComparison.Ordinal));
    }

    /// <summary>Registers the JSON codec for the plan model (silos and clients alike).</summary>
    public static ISerializerBuilder AddOrchestratorSerialization(this ISerializerBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        return builder.AddJsonSerializer(isSupported: IsPlanModel, jsonSerializerOptions: DurableJson.Options);
    }
}
