using Microsoft.Extensions.Logging.Abstractions;
using Orchestrator.Agent.Reporting;
using Orchestrator.Agent.Transport;

namespace Orchestrator.Agent.Tests.Infrastructure;

/// <summary>
/// The agent's reporting on a clock the test moves: a <see cref="ReportQueue"/> the test fills, the real
/// <see cref="ReportSender"/> and <see cref="AgentApiClient"/>, talking HTTP to a <see cref="FakeOrchestrator"/> that
/// stamps what it records with the same clock. Every wait in it is on that clock (only a request's own 30 s timeout
/// is on real time), so what happens, and when on the test's clock, does not depend on the machine's load.
/// </summary>
internal sealed class ReportLine : IAsyncDisposable
{
    public static readonly DateTimeOffset Start = new(2026, 11, 21, 10, 0, 0, TimeSpan.Zero);

    private readonly CancellationTokenSource stop = new();
    private readonly AgentApiClient client;
    private readonly ReportSender sender;
    private Task? run;

    private ReportLine(FakeOrchestrator server, AgentOptions options)
    {
        Server = server;
        server.Clock = Clock;
        Options = options;
        Queue = new ReportQueue(options.MaxPendingLogChars, Clock);
        client = new AgentApiClient(options, new AgentSession([new Protocol.AgentHost("report-line", new Dictionary<string, string>(), 1)]), Clock,
            NullLogger.Instance);
        sender = new ReportSender(Queue, client, options, Clock, NullLogger.Instance);
    }

    public ManualTimeProvider Clock { get; } = new(Start);

    public FakeOrchestrator Server { get; }

    public AgentOptions Options { get; }

    public ReportQueue Queue { get; }

    /// <summary>A server and a queue; nothing is sent before <see cref="StartSending"/>.</summary>
    public static async Task<ReportLine> CreateAsync(Action<AgentOptions> configure)
    {
        var server = await FakeOrchestrator.StartNewAsync();
        var options = new AgentOptions { Server = server.Address, Token = FakeOrchestrator.Token, Host = "report-line" };
        configure(options);
        return new ReportLine(server, options);
    }

    public void StartSending() => run = Task.Run(() => sender.RunAsync(stop.Token));

    /// <summary>
    /// Moves the clock to the due time of whatever the sender waits for, again and again, until <paramref name="done"/>
    /// holds. The sender is one loop and only it sets timers on this clock, so a timer waiting means the sender waits
    /// on it: each move lets exactly the next thing happen, at the instant it was due.
    /// </summary>
    public async Task StepUntilAsync(Func<bool> done, string what)
    {
        var started = TimeProvider.System.GetTimestamp();
        while (!done())
        {
            if (run is { IsCompleted: true })
            {
                await run; // the sender failed: show why
                throw new InvalidOperationException("The sender stopped.");
            }
            if (Clock.NextDue is { } due)
            {
                var now = Clock.GetUtcNow();
                Clock.SetUtcNow(due > now ? due : now);
                continue;
            }
            if (TimeProvider.System.GetElapsedTime(started) > Eventually.DefaultTimeout)
            {
                throw new TimeoutException($"Timed out waiting for {what}; clock at +{Clock.GetUtcNow() - Start}; /logs calls: {Describe()}");
            }
            await Task.Delay(TimeSpan.FromMilliseconds(5), TimeProvider.System);
        }
    }

    /// <summary>Waits, without moving the clock, until the sender waits on a timer; returns its due time.</summary>
    public Task<DateTimeOffset?> WaitUntilSenderWaitsAsync() =>
        Eventually.Until(() => Clock.NextDue, due => due is not null, "the sender to wait on the clock");

    public string Describe() => string.Join("; ", Server.LogCalls().Select(c => $"+{c.At - Start} {c.Status} [{string.Join(", ", c.Chunks.Select(k => $"{k.AssignmentId}#{k.Seq}"))}]"));

    public async ValueTask DisposeAsync()
    {
        await stop.CancelAsync();
        if (run is not null)
        {
            await run.WaitAsync(TimeSpan.FromSeconds(30)).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }
        client.Dispose();
        stop.Dispose();
        await Server.DisposeAsync();
    }
}
