using Orchestrator.Bench;

// Orchestrator.Bench <command> [--option value ...]; figures go to standard output as "bench <name> <value> <unit>".
var command = args.Length > 0 ? args[0] : "";
var options = new Args(args.Skip(1));
if (options.Get("connection", "") is { Length: > 0 } connection)
{
    await Bench.DropOrphanSchemasAsync(connection);
}
return command switch
{
    "ack" => await ApiAckBench.RunAsync(options),
    "fanout" => await FanoutBench.RunAsync(options),
    "cron" => await CronBench.RunAsync(options),
    "storage" => await StorageBench.RunAsync(options),
    "retention" => await RetentionBench.RunAsync(options),
    "console" => await ConsoleBench.RunAsync(options),
    "grain-writes" => await Orchestrator.Bench.Durable.GrainWritesBench.RunAsync(options),
    _ => Usage(),
};

static int Usage()
{
    Console.Error.WriteLine("usage: Orchestrator.Bench ack|fanout|cron|storage|retention|console|grain-writes --connection CS [options]");
    return 2;
}
