using System.Text.Json;
using Orchestrator.Api.Hosting;
using Orchestrator.Runtime.Client;

namespace Orchestrator.Api.Common;

/// <summary>What every endpoint needs: the grain client, the command waiter and the options.</summary>
public sealed class ApiContext(IClusterClientProvider provider, CommandWaiter waiter, ApiOptions options, TimeProvider? clock = null)
{
    public CommandWaiter Waiter => waiter;

    public ApiOptions Options => options;

    /// <summary>The cluster's clock (a registered <see cref="TimeProvider"/>, else the system's): what "now" means in requests.</summary>
    public TimeProvider Clock { get; } = clock ?? TimeProvider.System;

    /// <summary>The grain client; endpoints run behind <see cref="RequireClient"/>, which answers 503 until it exists.</summary>
    public ClusterClient Client => provider.Client ?? throw new InvalidOperationException("The grain client is not up yet.");

    /// <summary>An endpoint filter answering 503 (problem details) while the silo is still starting.</summary>
    public static ValueTask<object?> RequireClient(EndpointFilterInvocationContext context, EndpointFilterDelegate next) =>
        context.HttpContext.RequestServices.GetRequiredService<IClusterClientProvider>().Client is null
            ? ValueTask.FromResult<object?>(Problems.Unavailable("The silo is starting."))
            : next(context);

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
