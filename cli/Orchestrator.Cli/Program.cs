using Orchestrator.Cli.App;

return await OrchApp.RunAsync(args);
