using System.Collections;
using System.Security.Cryptography;
using Orchestrator.Api.Hosting;
using Orchestrator.Grains.Hooks;
using Orchestrator.Grains.Plans;
using Orchestrator.Runtime.Messaging;
using Orchestrator.Runtime.Silos;
using Orchestrator.Silo;

var builder = WebApplication.CreateBuilder(args);
var environment = Environment.GetEnvironmentVariables().Cast<DictionaryEntry>().ToDictionary(e => (string)e.Key, e => (string?)e.Value);
var options = SiloConfiguration.Read(builder.Configuration, environment, args, out var hosting, out var errors);
if (errors.Count > 0)
{
    Console.Error.WriteLine("Invalid configuration:");
    foreach (var error in errors)
    {
        Console.Error.WriteLine("  " + error);
    }
    return 2;
}

builder.Services.AddSingleton(options);
builder.Services.AddSingleton(GrainTypeRegistry.FromAssemblies(typeof(PlanGrain).Assembly));
builder.Services.AddStatusHooks(o => StatusHookConfiguration.Apply(o, builder.Configuration, environment));
builder.Services.AddSingleton<SiloService>();
builder.Services.AddSingleton<IClusterClientProvider>(sp => sp.GetRequiredService<SiloService>());
builder.Services.AddHostedService(sp => sp.GetRequiredService<SiloService>());

var token = hosting.AgentToken;
if (token.Length == 0)
{
    // No token configured: make one and leave it next to the data, for agents on other hosts to use.
    token = Convert.ToHexString(RandomNumberGenerator.GetBytes(16)).ToLowerInvariant();
    var tokenFile = Path.Combine(builder.Environment.ContentRootPath, "data", "agent-token");
    Directory.CreateDirectory(Path.GetDirectoryName(tokenFile)!);
    await File.WriteAllTextAsync(tokenFile, token + "\n");
}
builder.Services.AddOrchestratorApi(new ApiOptions
{
    AgentToken = token,
    HeartbeatForwardInterval = hosting.AgentHeartbeatForwardInterval,
    JobsSecret = hosting.JobsSecret.Length > 0 ? hosting.JobsSecret : null,
    MaxUploadBytes = options.MaxBlobBytes,
});
if (hosting.LocalAgent ?? options.Store == "sqlite")
{
    builder.Services.AddSingleton(hosting);
    builder.Services.AddHostedService(sp => ActivatorUtilities.CreateInstance<LocalAgentService>(sp, token));
}
builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = options.ShutdownDrainTimeout + TimeSpan.FromSeconds(5));

var app = builder.Build();
app.MapGet("/healthz", () => TypedResults.Ok(new { status = "alive" }));
app.MapGet("/readyz", (SiloService service) =>
{
    var silo = service.Host?.Silo;
    return silo is { Lifecycle: SiloLifecycle.Running } && silo.Shards.Count > 0
        ? Results.Ok(new { status = "ready", silo = silo.SiloId, shards = silo.Shards.Count, activations = silo.ActivationCount })
        : Results.Json(new { status = "not ready", lifecycle = silo?.Lifecycle.ToString() ?? "starting" }, statusCode: StatusCodes.Status503ServiceUnavailable);
});
app.MapOrchestratorApi();
app.Logger.LogInformation("Orchestrator silo {Name}: store {Store}, {Shards} shards, lease {Lease}", options.SiloName, options.Store, options.ShardCount, options.LeaseTime);
await app.RunAsync();
return 0;
