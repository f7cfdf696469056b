// Runs a plan through the grains, as an Orleans client of a running cluster, and follows the run to its end.
//
//   dotnet run --project examples/Orchestrator.Examples.Client -- examples/hello.yaml
//       (the single-node silo of the README: its Orleans gateway on 127.0.0.1:30000)
//   dotnet run --project examples/Orchestrator.Examples.Client -- examples/hello.yaml --gateway-port 30001
//   dotnet run --project examples/Orchestrator.Examples.Client -- examples/hello.yaml --postgres "Host=…;Database=…"
//       (a PostgreSQL cluster: gateways from its membership table)
//
// Exit status: 0 when the run succeeded, 1 when it ended otherwise, 2 for bad arguments or a plan that does not parse.
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Orchestrator.Examples.Client;
using Orchestrator.GrainInterfaces;
using Orchestrator.Runtime.Clustering;
using Orleans.Configuration;
using Orleans.Serialization;

if (ClientArguments.Parse(args) is not { } arguments)
{
    Console.Error.WriteLine("usage: Orchestrator.Examples.Client <plan.yaml|plan.json> [--gateway-port 30000] [--postgres <connection string>] [--cluster-id orchestrator] [--service-id orchestrator] [--timeout 00:05:00]");
    return 2;
}
var parsed = arguments.PlanPath.EndsWith(".json", StringComparison.OrdinalIgnoreCase)
    ? Orchestrator.Plans.Parsing.PlanParser.ParseJson(await File.ReadAllTextAsync(arguments.PlanPath))
    : Orchestrator.Plans.Parsing.PlanParser.ParseYaml(await File.ReadAllTextAsync(arguments.PlanPath));
if (!parsed.Ok)
{
    foreach (var error in parsed.Errors)
    {
        Console.Error.WriteLine($"{arguments.PlanPath}: {error.Path}: {error.Message}");
    }
    return 2;
}

var builder = Host.CreateApplicationBuilder();
builder.Logging.SetMinimumLevel(LogLevel.Warning);
builder.UseOrleansClient(client =>
{
    if (arguments.Postgres is { } connectionString)
    {
        client.UseOrchestratorPostgresClustering(connectionString);
    }
    else
    {
        client.UseLocalhostClustering(arguments.GatewayPort, arguments.ServiceId, arguments.ClusterId);
    }
    client.Configure<ClusterOptions>(o =>
    {
        o.ClusterId = arguments.ClusterId;
        o.ServiceId = arguments.ServiceId;
    });
    // The plan model travels as JSON: clients register it like silos.
    client.Services.AddSerializer(s => s.AddOrchestratorSerialization());
});
using var host = builder.Build();
await host.StartAsync();
var grains = host.Services.GetRequiredService<IClusterClient>();

var planId = parsed.Plan!.Name;
var plan = grains.GetGrain<IPlanGrain>(planId);
var save = Guid.NewGuid().ToString("N");
await plan.Save(new SavePlan(save, parsed.Plan, null, "examples-client"));   // answered once the grain persisted it
var saved = await plan.GetRequestResultAsync(save);
if (saved is not { Ok: true })
{
    Console.Error.WriteLine($"save: {saved?.Code} {saved?.Error}");
    return 1;
}
Console.WriteLine($"plan {planId} version {saved.Value}");

var run = Guid.NewGuid().ToString("N");
var instanceId = Guid.NewGuid().ToString("N");
await plan.Run(new RunPlan(run, instanceId, 0, new Dictionary<string, string>(), "examples-client"));
if (await plan.GetRequestResultAsync(run) is not { Ok: true } started)
{
    Console.Error.WriteLine($"run: refused");
    return 1;
}
Console.WriteLine($"task instance {started.Value}");

var instance = grains.GetGrain<ITaskInstanceGrain>(instanceId);
var deadline = DateTimeOffset.UtcNow + arguments.Timeout;
string? last = null;
while (true)
{
    var view = await instance.GetAsync();   // null until the plan's start reaches the instance
    var now = view is null ? "starting" : $"{view.Status} ({string.Join(", ", view.Steps.Select(s => $"{s.Name}: {s.Status}"))})";
    if (now != last)
    {
        Console.WriteLine(now);
        last = now;
    }
    if (view is not null && view.Status.IsFinal())
    {
        await host.StopAsync();
        return view.Status == ExecutionStatus.Succeeded ? 0 : 1;
    }
    if (DateTimeOffset.UtcNow > deadline)
    {
        Console.Error.WriteLine($"still {now} after {arguments.Timeout}");
        await host.StopAsync();
        return 1;
    }
    await Task.Delay(TimeSpan.FromMilliseconds(250));
}
