using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Orchestrator.Agent;
using Orchestrator.Silo.Shutdown;

namespace Orchestrator.Silo;

/// <summary>
/// The single-node silo's own agent: once the web host listens, it runs an agent for this host against the silo's
/// own API, so the README's run command can execute a plan with nothing else started. On SIGTERM it drains before
/// the web server closes (<see cref="DrainAsync"/>, called by <see cref="SiloShutdown"/>): it takes no new work,
/// running work may finish until the budget's work limit, then it is killed and reported; at the agent limit it is
/// abandoned, and the next start ends what it did not report. Its work and state directory is
/// <c>data/local-agent</c>, so the next start of this silo finds and kills what a crashed run left behind, and
/// never touches another silo's scripts.
/// </summary>
public sealed partial class LocalAgentService(SiloHostingOptions hosting, string token, string workDirectory, ShutdownBudget budget, IServer server,
    IHostApplicationLifetime lifetime, ILoggerFactory loggerFactory) : IHostedService, IDisposable
{
    private readonly ILogger _logger = loggerFactory.CreateLogger<LocalAgentService>();
    private readonly CancellationTokenSource _drain = new();
    private readonly CancellationTokenSource _kill = new();
    private readonly CancellationTokenSource _abandon = new();
    private Task _running = Task.CompletedTask;
    private Task? _drained;
    private readonly Lock _sync = new();

    public Task StartAsync(CancellationToken cancellationToken)
    {
        _running = Task.Run(RunAsync, CancellationToken.None);
        return Task.CompletedTask;
    }

    /// <summary>Drains within the budget (see the class); completes when the agent has stopped. Never throws.</summary>
    public Task DrainAsync()
    {
        lock (_sync)
        {
            return _drained ??= DrainCoreAsync();
        }
    }

    /// <summary>Normally drained already by <see cref="SiloShutdown"/>; otherwise drains now, for as long as the host lets it.</summary>
    public async Task StopAsync(CancellationToken cancellationToken) =>
        await DrainAsync().WaitAsync(cancellationToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);

    public void Dispose()
    {
        _drain.Dispose();
        _kill.Dispose();
        _abandon.Dispose();
    }

    private async Task DrainCoreAsync()
    {
        budget.Start();
        await _drain.CancelAsync().ConfigureAwait(false);
        _kill.CancelAfter(budget.Until(budget.WorkLimit));
        _abandon.CancelAfter(budget.Until(budget.AgentLimit));
        await _running.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        Log.Stopped(_logger, budget.Elapsed);
    }

    private async Task RunAsync()
    {
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using (lifetime.ApplicationStarted.Register(() => started.TrySetResult()))
        using (_drain.Token.Register(() => started.TrySetCanceled()))
        {
            try
            {
                await started.Task.ConfigureAwait(false);
            }
            catch (TaskCanceledException)
            {
                return;
            }
        }
        var address = server.Features.Get<IServerAddressesFeature>()?.Addresses.FirstOrDefault() ?? "http://127.0.0.1:5080";
        address = address.Replace("://0.0.0.0", "://127.0.0.1", StringComparison.Ordinal).Replace("://[::]", "://127.0.0.1", StringComparison.Ordinal)
            .Replace("://+", "://127.0.0.1", StringComparison.Ordinal).Replace("://*", "://127.0.0.1", StringComparison.Ordinal);
        var options = new AgentOptions
        {
            Server = new Uri(address),
            Token = token,
            Host = hosting.LocalAgentHost,
            Labels = new Dictionary<string, string>(StringComparer.Ordinal) { ["local"] = "true" },
            Capacity = hosting.LocalAgentCapacity,
            WorkDirectory = workDirectory,
            KillGracePeriod = budget.KillGrace,
        };
        Log.Starting(_logger, options.Host, address, workDirectory);
        try
        {
            await new AgentRunner(options, loggerFactory).RunAsync(_drain.Token, _kill.Token, _abandon.Token).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            // The boundary of the in-process agent: its failure is logged, never the silo's crash.
            Log.Failed(_logger, ex);
        }
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 7101, Level = LogLevel.Information, Message = "Local agent '{Host}' talking to {Server} (work directory {WorkDirectory})")]
        public static partial void Starting(ILogger logger, string host, string server, string workDirectory);

        [LoggerMessage(EventId = 7102, Level = LogLevel.Information, Message = "Local agent stopped, {Elapsed} into the stop")]
        public static partial void Stopped(ILogger logger, TimeSpan elapsed);

        [LoggerMessage(EventId = 7103, Level = LogLevel.Error, Message = "The local agent stopped on an error")]
        public static partial void Failed(ILogger logger, Exception exception);
    }
}
