namespace Orchestrator.Silo.Shutdown;

/// <summary>
/// Puts the silo process's stop in order. The host stops its services in reverse order of registration — the web
/// server first, then the local agent, then the silo — so left alone the local agent lost the API before it could
/// report, the server's stop waited on agents' 20 s long polls, and the silo's hand-off ran on a token the host had
/// already cancelled (exit 134). This runs first (<see cref="IHostedLifecycleService.StoppingAsync"/> comes before
/// every service's StopAsync) and does what needs the API while it still serves: the local agent drains and reports,
/// then the long polls are answered so the web server closes at once; the Orleans silo stops after the web server (its
/// grains deactivate, it leaves the membership). Each step is bounded by the <see cref="ShutdownBudget"/>.
/// </summary>
public sealed partial class SiloShutdown(ShutdownBudget budget, LongPollCloser polls, IServiceProvider services, ILogger<SiloShutdown> logger)
    : IHostedLifecycleService
{
    public async Task StoppingAsync(CancellationToken cancellationToken)
    {
        budget.Start();
        Log.Draining(logger, budget.Drain, budget.WorkLimit);
        if (services.GetService<LocalAgentService>() is { } agent)
        {
            await agent.DrainAsync().WaitAsync(cancellationToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }
        polls.Close();
        Log.ClosingApi(logger, budget.Elapsed);
    }

    public Task StoppedAsync(CancellationToken cancellationToken)
    {
        Log.Stopped(logger, budget.Elapsed);
        return Task.CompletedTask;
    }

    public Task StartingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StartedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    private static partial class Log
    {
        [LoggerMessage(EventId = 7001, Level = LogLevel.Information,
            Message = "Stopping: drain time {Drain}; the local agent takes no new work, running work may finish for {WorkLimit}, then it is killed")]
        public static partial void Draining(ILogger logger, TimeSpan drain, TimeSpan workLimit);

        [LoggerMessage(EventId = 7002, Level = LogLevel.Information, Message = "Stopping: closing the API ({Elapsed} into the stop)")]
        public static partial void ClosingApi(ILogger logger, TimeSpan elapsed);

        [LoggerMessage(EventId = 7003, Level = LogLevel.Information, Message = "Stopped in {Elapsed}")]
        public static partial void Stopped(ILogger logger, TimeSpan elapsed);
    }
}
