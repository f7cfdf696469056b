using System.Text.Json;
using Orchestrator.Api.Hosting;
using Orchestrator.Runtime.Durable;
using Orchestrator.Runtime.Persistence;

namespace Orchestrator.Api.Common;

/// <summary>
/// What every endpoint needs: the grains and the database's readers (<see cref="GrainClient"/>), the command waiter, the
/// options, and the orchestrator clock.
/// </summary>
public sealed class ApiContext(GrainClient client, CommandWaiter waiter, ApiOptions options)
{
    /// <summary>
    /// From a host's services: Orleans' <see cref="IGrainFactory"/> (the silo's or a client's), the database, and the
    /// orchestrator clock (real time when none is registered).
    /// </summary>
    public ApiContext(IGrainFactory grains, OrchestratorDatabase database, CommandWaiter waiter, ApiOptions options, OrchestratorClock? clock = null)
        : this(new GrainClient(grains, database, clock ?? OrchestratorClock.RealTime), waiter, options)
    {
    }

    public CommandWaiter Waiter => waiter;

    public ApiOptions Options => options;

    /// <summary>The orchestrator clock (the one grains run on; real time unless a test drives it): what "now" means in requests.</summary>
    public TimeProvider Clock => client.Clock;

    /// <summary>Grains and the database's readers.</summary>
    public GrainClient Client => client;

    /// <summary>
    /// The page size clamped into 1…<see cref="ApiOptions.MaxPageSize"/> (kept for the schedules list); new endpoints read
    /// <c>limit</c> with <see cref="QueryValues.Limit"/>, which refuses out-of-range values instead.
    /// </summary>
    public int PageSize(int? requested) => Math.Clamp(requested ?? ApiLimits.DefaultPageSize, 1, options.MaxPageSize);
}

/// <summary>Reads index row data written by the grains.</summary>
public static class IndexJson
{
    private static readonly JsonSerializerOptions Options = CreateOptions();

    private static JsonSerializerOptions CreateOptions()
    {
        var options = new JsonSerializerOptions(JsonSerializerDefaults.Web);
        options.Converters.Add(new System.Text.Json.Serialization.JsonStringEnumConverter(JsonNamingPolicy.CamelCase));
        return options;
    }

    public static T Parse<T>(string json) => JsonSerializer.Deserialize<T>(json, Options)!;
}
