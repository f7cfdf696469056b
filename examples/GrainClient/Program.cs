// An Orleans client of the orchestrator: joins a running cluster, stores a plan through IPlanGrain, runs it, and follows
// the task instance through its grains to the end. How to run it: examples/README.md.
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Orchestrator.Examples.GrainClient;
using Orchestrator.GrainInterfaces;
using Orchestrator.Plans.Parsing;
using Orchestrator.Runtime.Clustering;
using Orleans;
using Orleans.Configuration;
using Orleans.Runtime;
using Orleans.Hosting;
using Orleans.Serialization;

var (arguments, argumentError) = ClientArguments.Parse(args, Environment.GetEnvironmentVariable);
if (arguments is null || arguments.Help)
{
    if (argumentError is not null)
    {
        Console.Error.WriteLine($"error: {argumentError}");
    }
    Console.Error.WriteLine(ClientArguments.Usage);
    return arguments is null ? ExitCodes.Refused : ExitCodes.Succeeded;
}

// The plan: a file (YAML or JSON, by its text), or the built-in one. Parsed and validated here, as the API does.
string text;
try
{
    text = arguments.PlanFile is { } file ? await File.ReadAllTextAsync(file) : BuiltInPlan.Yaml;
}
catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
{
    Console.Error.WriteLine($"error: --plan: cannot read '{Path.GetFullPath(arguments.PlanFile!)}': {ex.Message}");
    return ExitCodes.Refused;
}
var parsed = PlanParser.Parse(text, contentType: null);
if (!parsed.Ok)
{
    foreach (var e in parsed.Errors)
    {
        Console.Error.WriteLine($"error: {arguments.PlanFile ?? "built-in plan"}: {e}");
    }
    return ExitCodes.Refused;
}
var plan = parsed.Plan;
var planId = arguments.PlanId ?? plan.Name;

var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
// Orleans' own warnings (each failed connection attempt, with its stack) would bury this program's messages.
builder.Logging.AddConsole(o => o.LogToStandardErrorThreshold = LogLevel.Trace).SetMinimumLevel(LogLevel.Warning).AddFilter("Orleans", LogLevel.Error);
builder.UseOrleansClient(client =>
{
    if (arguments.PostgresConnectionString is { } connectionString)
    {
        // A cluster: the gateways are the active silos in the membership table of the cluster's database.
        client.UseOrchestratorClustering(connectionString);
        client.Configure<ClusterOptions>(o => (o.ClusterId, o.ServiceId) = (arguments.ClusterId, arguments.ServiceId));
    }
    else
    {
        // A single-node silo: its gateway on this machine.
        client.UseLocalhostClustering(arguments.GatewayPort, arguments.ServiceId, arguments.ClusterId);
    }
    // The plan model crosses the wire as JSON: every client and silo registers the same serialization.
    client.Services.AddSerializer(s => s.AddOrchestratorSerialization());
});
using var host = builder.Build();

using var stop = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) =>
{
    e.Cancel = true;
    stop.Cancel();
};

var where = arguments.PostgresConnectionString is null
    ? $"the silo's gateway at 127.0.0.1:{arguments.GatewayPort}"
    : "the cluster's gateways (PostgreSQL membership)";
try
{
    await host.StartAsync(stop.Token).WaitAsync(arguments.ConnectTimeout, stop.Token);
}
catch (Exception ex) when (ex is not OperationCanceledException || !stop.IsCancellationRequested)
{
    Console.Error.WriteLine($"error: cannot reach {where} (cluster {arguments.ClusterId}/{arguments.ServiceId}): {Describe(ex)}");
    return ExitCodes.Unreachable;
}
Console.WriteLine($"connected to {where}");

int exitCode;
try
{
    exitCode = await new PlanRunner(host.Services.GetRequiredService<IClusterClient>(), Console.Out, Console.Error, TimeProvider.System)
        .RunAsync(planId, plan, arguments.Parameters, arguments.Timeout, stop.Token);
}
catch (Exception ex) when (ex is OrleansException or TimeoutException)
{
    Console.Error.WriteLine($"error: lost {where}: {Describe(ex)}");
    exitCode = ExitCodes.Unreachable;
}
using (var stopping = new CancellationTokenSource(TimeSpan.FromSeconds(10)))
{
    await host.StopAsync(stopping.Token);
}
return exitCode;

static string Describe(Exception ex) => ex switch
{
    TimeoutException => "nothing answered in time (is the silo running, and is this its gateway?)",
    _ => ex.GetBaseException().Message,
};

/// <summary>The plan run when no --plan is given: hello on the single-node silo's own agent.</summary>
internal static class BuiltInPlan
{
    public const string Yaml = """
        name: hello-grains
        description: Say hello from the single-node silo's own agent, started by an Orleans client.
        steps:
          - name: greet
            targets:
              hosts: [local]
            script: |
              echo "hello from $(hostname), task ${{ task.id }}"
        """;
}
