using Microsoft.Extensions.Logging;
using Orchestrator.Agent.Hosting;
using Orchestrator.Agent.Transport;

namespace Orchestrator.Agent.Polling;

/// <summary>Sends one heartbeat for all hosts every heartbeat interval, and at once when the agent starts draining
/// or has registered again (so the server learns the draining flag without waiting).</summary>
internal sealed partial class HeartbeatLoop(AgentApiClient client, AgentSession session, TimeProvider timeProvider, ILogger logger)
{
    private readonly AsyncSignal wake = new();
    private volatile bool draining;

    public void StartDraining()
    {
        draining = true;
        wake.Set();
    }

    public void Wake() => wake.Set();

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            try
            {
                await client.HeartbeatAsync(draining, cancellationToken).ConfigureAwait(false);
            }
            catch (AgentApiException ex)
            {
                Log.HeartbeatRejected(logger, ex);
            }
            await wake.WaitAsync(session.HeartbeatInterval, timeProvider, cancellationToken).ConfigureAwait(false);
        }
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 1201, Level = LogLevel.Error, Message = "The server rejected a heartbeat")]
        public static partial void HeartbeatRejected(ILogger logger, Exception exception);
    }
}
