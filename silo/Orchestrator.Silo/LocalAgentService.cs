using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Orchestrator.Agent;

namespace Orchestrator.Silo;

/// <summary>
/// The single-node silo's own agent: once the web host listens, it runs an agent for this host against the silo's
/// own API, so the README's run command can execute a plan with nothing else started. It drains with the host.
/// </summary>
public sealed class LocalAgentService(SiloHostingOptions hosting, string token, IServer server, IHostApplicationLifetime lifetime, ILoggerFactory loggerFactory)
    : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var started = new TaskCompletionSource();
        using (lifetime.ApplicationStarted.Register(() => started.TrySetResult()))
        using (stoppingToken.Register(() => started.TrySetCanceled()))
        {
            try
            {
                await started.Task;
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
            WorkDirectory = Path.Combine(Path.GetTempPath(), "orchestrator-local-agent"),
        };
        loggerFactory.CreateLogger<LocalAgentService>().LogInformation("Local agent '{Host}' talking to {Server}", options.Host, address);
        await new AgentRunner(options, loggerFactory).RunAsync(stoppingToken);
    }
}
