using System.Collections;
using System.Net;
using Orchestrator.Api.Hosting;
using Orchestrator.Api.Identity;
using Orchestrator.GrainInterfaces;
using Orchestrator.Runtime.Durable;
using Orchestrator.Runtime.Clustering;
using Orchestrator.Runtime.Persistence;
using Orchestrator.Silo;
using Orchestrator.Silo.Hosting;
using Orchestrator.Silo.Secrets;
using Orchestrator.Silo.Shutdown;
using Orchestrator.Silo.Telemetry;
using Orleans.Configuration;
using Orleans.Dashboard;
using Orleans.Serialization;

var builder = WebApplication.CreateBuilder(args);
var environment = Environment.GetEnvironmentVariables().Cast<DictionaryEntry>().ToDictionary(e => (string)e.Key, e => (string?)e.Value);
var problems = new List<string>(SiloConfiguration.AddSources(builder.Configuration, environment, args));
var settings = SiloConfiguration.Read(builder.Configuration, problems);
if (problems.Count > 0)
{
    Console.Error.WriteLine("Invalid configuration:");
    foreach (var problem in problems)
    {
        Console.Error.WriteLine("  " + problem);
    }
    return 2;
}
var (database, node, hosting) = (settings.Database, settings.Node, settings.Hosting);
var telemetry = new SiloTelemetryOptions();
builder.Configuration.GetSection(SiloConfiguration.Section).Bind(telemetry); // its names are known settings (SiloConfiguration.Names)
if (telemetry.Validate().ToList() is { Count: > 0 } telemetryProblems)
{
    Console.Error.WriteLine("Invalid configuration:");
    telemetryProblems.ForEach(problem => Console.Error.WriteLine("  " + problem));
    return 2;
}
var tracing = telemetry.TracingEnabled(environment);

// Secrets first: a bad data directory stops the start here, before anything listens.
var dataDirectory = Path.Combine(builder.Environment.ContentRootPath, "data");
var secrets = SiloSecrets.Resolve(database.Store, hosting, dataDirectory, settings.Auth.AdminToken);
settings.Auth.AdminToken = secrets.AdminToken;

// The stop, in order (SiloShutdown): the local agent drains while the API still serves, the agents' long polls are
// answered, the web server closes, the Orleans silo stops last (its grains deactivate, it leaves the membership); all
// within the drain time (ShutdownBudget), the host's shutdown timeout a backstop past it.
var budget = new ShutdownBudget(node.ShutdownDrainTimeout, TimeProvider.System);
builder.Services.AddSingleton(budget);
builder.Services.AddSingleton<LongPollCloser>();
builder.Services.AddHostedService<SiloShutdown>();
builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = budget.HostTimeout);
builder.Services.AddSingleton(settings);

var kubernetes = node.UseKubernetes(environment);
var apiOnly = node.Role == SiloNodeOptions.ApiRole;
if (apiOnly)
{
    // The API as its own process: an Orleans client of the cluster (gateways from the membership table), reading the
    // cluster's database; the silos own the schema and its migrations.
    builder.UseOrleansClient(client =>
    {
        client.UseOrchestratorClustering(database.ConnectionString);
        client.Configure<ClusterOptions>(o =>
        {
            o.ClusterId = node.ClusterId;
            o.ServiceId = node.ServiceId;
        });
        client.Services.AddSerializer(s => s.AddOrchestratorSerialization());
        client.AddDashboard();
        if (tracing)
        {
            client.AddActivityPropagation(); // the API's request span flows into the grain calls
        }
    });
    builder.Services.AddOrchestratorDatabase(o => SiloComposition.CopyTo(database, o));
    builder.Services.AddOrchestratorClock(TimeProvider.System);
}
else
{
    builder.UseOrleans(silo => ConfigureSilo(silo));
}

builder.AddOrchestratorTelemetry(telemetry, environment, apiOnly ? "orchestrator-api" : "orchestrator-silo", node.SiloName, silo: !apiOnly);
builder.Services.AddOrchestratorApi(new ApiOptions
{
    AgentToken = secrets.AgentToken,
    HeartbeatForwardInterval = hosting.AgentHeartbeatForwardInterval,
    JobsSecret = secrets.JobsSecret,
    MaxUploadBytes = database.MaxBlobBytes,
    Auth = settings.Auth,
});
if (!apiOnly && (hosting.LocalAgent ?? database.Store == OrchestratorDatabaseOptions.Sqlite))
{
    builder.Services.AddSingleton(hosting);
    builder.Services.AddSingleton(sp => ActivatorUtilities.CreateInstance<LocalAgentService>(sp, secrets.AgentToken, Path.Combine(dataDirectory, "local-agent")));
    builder.Services.AddHostedService(sp => sp.GetRequiredService<LocalAgentService>());
}

var app = builder.Build();
var polls = app.Services.GetRequiredService<LongPollCloser>();
app.Use((context, next) => polls.InvokeAsync(context, () => next(context)));
app.MapGet("/healthz", () => TypedResults.Ok(new { status = "alive" }));
app.MapOrchestratorMetrics(); // unauthenticated like /healthz: outside the API's caller policy
if (apiOnly)
{
    app.MapGet("/readyz", SiloReadiness.CheckClient);
}
else
{
    app.MapGet("/readyz", SiloReadiness.Check);
}
app.MapOrchestratorApi();
app.UseDashboardGuard("/dashboard"); // admins of every namespace only (bearer token, or the console's cookie on reads)
app.MapOrleansDashboard("/dashboard");
app.Logger.LogInformation("Orchestrator {Role} {Name}: store {Store}, cluster {ClusterId}/{ServiceId}, silo port {SiloPort}, gateway port {GatewayPort}{Kubernetes}, drain time {Drain}",
    node.Role, node.SiloName, database.Store, node.ClusterId, node.ServiceId, node.SiloPort, node.GatewayPort, kubernetes ? ", Kubernetes hosting" : "", node.ShutdownDrainTimeout);
secrets.LogSources(app.Logger);
var stopping = app.Lifetime.ApplicationStopping; // read now: the services are disposed when RunAsync throws
try
{
    await app.RunAsync();
}
catch (Exception ex) when (stopping.IsCancellationRequested && ex is OperationCanceledException or OrleansLifecycleCanceledException)
{
    // SIGTERM while starting: the host cancels the start (Orleans' lifecycle says so with its own exception) and closes
    // what had started, which is the stop asked for.
}
return 0;

void ConfigureSilo(ISiloBuilder silo)
{
    silo.AddOrchestrator(database, TimeProvider.System, durable => SiloComposition.CopyTo(settings.Durable, durable),
        hooks => StatusHookConfiguration.Apply(hooks, builder.Configuration, environment),
        idempotency => SiloComposition.CopyTo(settings.Idempotency, idempotency),
        retention => SiloComposition.CopyTo(settings.Retention, retention),
        jobRun => SiloComposition.CopyTo(settings.JobRun, jobRun), clusterHealth => SiloComposition.CopyTo(settings.ClusterHealth, clusterHealth));
    silo.UseNodeClustering(database, node, kubernetes); // Kubernetes hosting after our settings, so the pod's win
    silo.Services.AddSingleton<ILifecycleParticipant<ISiloLifecycle>, DrainLog>(); // the deactivations of the stop, logged
    silo.AddDashboard();
    if (tracing)
    {
        silo.AddActivityPropagation(); // grain calls continue the caller's trace (a run's own context is kept as data: RunTrace)
    }
}
