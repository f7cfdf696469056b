using System.Collections;
using Orchestrator.Api.Hosting;
using Orchestrator.Grains.Hooks;
using Orchestrator.Grains.Plans;
using Orchestrator.Runtime.Messaging;
using Orchestrator.Runtime.Silos;
using Orchestrator.Silo;
using Orchestrator.Silo.Secrets;
using Orchestrator.Silo.Shutdown;

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

// Secrets first: a bad data directory stops the start here, before anything listens.
var dataDirectory = Path.Combine(builder.Environment.ContentRootPath, "data");
var secrets = SiloSecrets.Resolve(options.Store, hosting, dataDirectory);

// The stop, in order (SiloShutdown): the local agent drains while the API still serves, the agents' long polls are
// answered, the web server closes, the silo hands its shards off last; all within the drain time (ShutdownBudget).
var budget = new ShutdownBudget(options.ShutdownDrainTimeout, TimeProvider.System);
builder.Services.AddSingleton(budget);
builder.Services.AddSingleton<LongPollCloser>();
builder.Services.AddHostedService<SiloShutdown>();
builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = budget.HostTimeout);

builder.Services.AddSingleton(options);
builder.Services.AddSingleton(GrainTypeRegistry.FromAssemblies(typeof(PlanGrain).Assembly));
builder.Services.AddStatusHooks(o => StatusHookConfiguration.Apply(o, builder.Configuration, environment));
builder.Services.AddSingleton<SiloService>();
builder.Services.AddSingleton<IClusterClientProvider>(sp => sp.GetRequiredService<SiloService>());
builder.Services.AddHostedService(sp => sp.GetRequiredService<SiloService>());

builder.Services.AddOrchestratorApi(new ApiOptions
{
    AgentToken = secrets.AgentToken,
    HeartbeatForwardInterval = hosting.AgentHeartbeatForwardInterval,
    JobsSecret = secrets.JobsSecret,
    MaxUploadBytes = options.MaxBlobBytes,
});
if (hosting.LocalAgent ?? options.Store == "sqlite")
{
    builder.Services.AddSingleton(hosting);
    builder.Services.AddSingleton(sp => ActivatorUtilities.CreateInstance<LocalAgentService>(sp, secrets.AgentToken, Path.Combine(dataDirectory, "local-agent")));
    builder.Services.AddHostedService(sp => sp.GetRequiredService<LocalAgentService>());
}

var app = builder.Build();
var polls = app.Services.GetRequiredService<LongPollCloser>();
app.Use((context, next) => polls.InvokeAsync(context, () => next(context)));
app.MapGet("/healthz", () => TypedResults.Ok(new { status = "alive" }));
app.MapGet("/readyz", (SiloService service, IHostApplicationLifetime lifetime) =>
{
    var silo = service.Host?.Silo;
    if (lifetime.ApplicationStopping.IsCancellationRequested)
    {
        // Draining: load balancers should stop sending work here now, before the server closes.
        return Results.Json(new { status = "stopping", lifecycle = silo?.Lifecycle.ToString() ?? "starting" }, statusCode: StatusCodes.Status503ServiceUnavailable);
    }
    return silo is { Lifecycle: SiloLifecycle.Running } && silo.Shards.Count > 0
        ? Results.Ok(new { status = "ready", silo = silo.SiloId, shards = silo.Shards.Count, activations = silo.ActivationCount })
        : Results.Json(new { status = "not ready", lifecycle = silo?.Lifecycle.ToString() ?? "starting" }, statusCode: StatusCodes.Status503ServiceUnavailable);
});
app.MapOrchestratorApi();
app.Logger.LogInformation("Orchestrator silo {Name}: store {Store}, {Shards} shards, lease {Lease}, drain time {Drain}", options.SiloName, options.Store, options.ShardCount,
    options.LeaseTime, options.ShutdownDrainTimeout);
secrets.LogSources(app.Logger);
var stopping = app.Lifetime.ApplicationStopping; // read now: the services are disposed when RunAsync throws
try
{
    await app.RunAsync();
}
catch (OperationCanceledException) when (stopping.IsCancellationRequested)
{
    // SIGTERM while starting: the host cancels the start (and closes what had started), which is the stop asked for.
}
return 0;
