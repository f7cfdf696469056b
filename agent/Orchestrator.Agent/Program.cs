using System.Collections;
using System.Runtime.InteropServices;
using Microsoft.Extensions.Logging;
using Orchestrator.Agent;
using Orchestrator.Agent.Hosting;
using Orchestrator.Agent.Kubernetes;
using k8s;
using k8s.Exceptions;

var environment = Environment.GetEnvironmentVariables().Cast<DictionaryEntry>().ToDictionary(e => (string)e.Key, e => (string?)e.Value);
var commandLine = AgentCommandLine.Parse(args, environment);
if (commandLine.HelpRequested)
{
    Console.WriteLine(AgentCommandLine.Usage());
    return 0;
}
if (commandLine.Errors.Count > 0)
{
    Console.Error.WriteLine("Invalid options:");
    foreach (var error in commandLine.Errors)
    {
        Console.Error.WriteLine("  " + error);
    }
    Console.Error.WriteLine("Run with --help for the list of options.");
    return 2;
}

using var loggerFactory = LoggerFactory.Create(builder =>
{
    builder.SetMinimumLevel(commandLine.LogLevel);
    // Trace and span ids on each entry written inside a span (an assignment of a traced run): JSON shows them as scopes.
    builder.Configure(o => o.ActivityTrackingOptions = ActivityTrackingOptions.TraceId | ActivityTrackingOptions.SpanId);
    if (commandLine.Options.LogFormat == "json")
    {
        builder.AddJsonConsole(console =>
        {
            console.IncludeScopes = true;
            console.TimestampFormat = "yyyy-MM-ddTHH:mm:ss.fffZ";
            console.UseUtcTimestamp = true;
        });
    }
    else
    {
        builder.AddSimpleConsole(console =>
        {
            console.SingleLine = true;
            console.TimestampFormat = "yyyy-MM-ddTHH:mm:ss.fff ";
            console.UseUtcTimestamp = true;
        });
    }
});
var logger = loggerFactory.CreateLogger("Orchestrator.Agent");
using var tracing = Orchestrator.Agent.Telemetry.AgentTracing.Create(commandLine.Options, environment);

// The first SIGTERM or Ctrl-C drains; a second one ends the process at once (the next agent kills what is left).
using var drain = new CancellationTokenSource();
var signals = 0;
void OnSignal(PosixSignalContext context)
{
    if (Interlocked.Increment(ref signals) == 1)
    {
        context.Cancel = true;
        drain.Cancel();
    }
}
using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, OnSignal);
using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, OnSignal);

if (commandLine.Options.KubernetesNode is not null)
{
    // A DaemonSet pod: host labels from its node's labels, read once before the agent registers.
    try
    {
        await NodeLabels.ApplyAsync(commandLine.Options, KubernetesClientConfiguration.InClusterConfig(), logger, drain.Token);
    }
    catch (Exception ex) when (ex is NodeLabelException or KubeConfigException)
    {
        logger.LogCritical("{Problem}", ex.Message);
        return 1;
    }
}

try
{
    await new AgentRunner(commandLine.Options, loggerFactory).RunAsync(drain.Token);
    return 0;
}
catch (Exception ex)
{
    logger.LogCritical(ex, "The agent stopped on an error");
    return 1;
}
