using System.Text.Json;
using System.Text.Json.Nodes;
using Orchestrator.Grains.Steps;
using Orchestrator.Runtime.Durable;
using Orchestrator.Runtime.Persistence.GrainState;

namespace Orchestrator.Engine.Tests.Upgrades;

/// <summary>
/// During a rolling upgrade the previous version reads grain state the new one wrote (a grain moves between silos of
/// both versions). The rule (<c>runtime/…/Persistence/Migrations/README.md</c>): a field may be added, and the old
/// reader skips it. These tests read every domain grain's state, and the envelope around it, with a field no version
/// knows, and check that it reads as without it.
/// </summary>
public sealed class StateCompatibilityTests
{
    private const string Unknown = "addedByANewerVersion";

    public static TheoryData<Type> StateTypes()
    {
        var data = new TheoryData<Type>();
        foreach (var type in DomainStateTypes())
        {
            data.Add(type);
        }
        return data;
    }

    [Fact]
    public void DomainStateTypes_EveryDurableGrain_IsCovered() =>
        Assert.True(DomainStateTypes().Count >= 10, $"found only {string.Join(", ", DomainStateTypes().Select(t => t.Name))}");

    [Theory]
    [MemberData(nameof(StateTypes))]
    public void Deserialize_StateWithAFieldFromANewerVersion_ReadsAsWithoutIt(Type stateType)
    {
        var written = JsonSerializer.Serialize(Activator.CreateInstance(stateType), stateType, DurableJson.Options);
        var newer = JsonNode.Parse(written)!.AsObject();
        newer[Unknown] = new JsonObject { ["nested"] = new JsonArray(1, "two", null), ["flag"] = true };

        var read = JsonSerializer.Deserialize(newer.ToJsonString(), stateType, DurableJson.Options);

        Assert.Equal(written, JsonSerializer.Serialize(read, stateType, DurableJson.Options));
    }

    [Fact]
    public void Deserialize_EnvelopeWithAFieldFromANewerVersion_KeepsTheStateAndTheOutbox()
    {
        var envelope = new DurableEnvelope { State = RawJson.Serialize(new StepState(), DurableJson.Options), NextSeq = 7, WakeUpRow = "row" };
        var written = JsonSerializer.Serialize(envelope, GrainStateJson.Options);
        var newer = JsonNode.Parse(written)!.AsObject();
        newer[Unknown] = new JsonArray("x");

        var read = JsonSerializer.Deserialize<DurableEnvelope>(newer.ToJsonString(), GrainStateJson.Options)!;

        Assert.Equal(written, JsonSerializer.Serialize(read, GrainStateJson.Options));
        Assert.Equal((7L, "row"), (read.NextSeq, read.WakeUpRow));
    }

    /// <summary>The state type of every concrete <see cref="DurableGrain{TState}"/> of the domain grains.</summary>
    private static List<Type> DomainStateTypes() =>
        [.. typeof(StepGrain).Assembly.GetTypes().Where(t => t is { IsClass: true, IsAbstract: false })
            .Select(StateOf).OfType<Type>().Distinct().OrderBy(t => t.FullName, StringComparer.Ordinal)];

    private static Type? StateOf(Type grain)
    {
        for (var type = grain.BaseType; type is not null; type = type.BaseType)
        {
            if (type.IsGenericType && type.GetGenericTypeDefinition() == typeof(DurableGrain<>))
            {
                return type.GetGenericArguments()[0];
            }
        }
        return null;
    }
}
