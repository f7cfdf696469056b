using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;

namespace Orchestrator.Runtime.Persistence.GrainState;

/// <summary>
/// How grain state is written as JSON: System.Text.Json web defaults (camelCase properties, case-insensitive reads)
/// enums as camelCase strings (numbers still read); non-ASCII text unescaped so that support engineers read it in SQL;
/// any string round-trips, lone surrogates included (<see cref="ExactStringConverter"/>); and the pending index
/// writes of an <see cref="IIndexedState"/> are never part of the state (they are committed as rows beside it).
/// </summary>
public static class GrainStateJson
{
    /// <summary>The options the grain storage uses unless it is given others.</summary>
    public static JsonSerializerOptions Options { get; } = Create();

    /// <summary>New options as <see cref="Options"/>, to add converters to.</summary>
    public static JsonSerializerOptions Create()
    {
        var options = new JsonSerializerOptions(JsonSerializerDefaults.Web)
        {
            // Only HTML-sensitive characters stay unescaped with this encoder; state is never embedded in a page.
            Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
            TypeInfoResolver = new DefaultJsonTypeInfoResolver { Modifiers = { SkipPendingIndexWrites } },
        };
        options.Converters.Add(new JsonStringEnumConverter(JsonNamingPolicy.CamelCase));
        options.Converters.Add(new ExactStringConverter());
        return options;
    }

    private static void SkipPendingIndexWrites(JsonTypeInfo info)
    {
        if (info.Kind != JsonTypeInfoKind.Object || !typeof(IIndexedState).IsAssignableFrom(info.Type))
        {
            return;
        }
        for (var i = info.Properties.Count - 1; i >= 0; i--)
        {
            if (string.Equals(info.Properties[i].Name, info.Options.PropertyNamingPolicy?.ConvertName(nameof(IIndexedState.PendingIndexWrites)) ?? nameof(IIndexedState.PendingIndexWrites), StringComparison.Ordinal))
            {
                info.Properties.RemoveAt(i);
            }
        }
    }
}
