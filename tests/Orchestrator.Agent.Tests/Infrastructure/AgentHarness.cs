using Microsoft.Extensions.Logging;
using Orchestrator.Agent.Protocol;

namespace Orchestrator.Agent.Tests.Infrastructure;

/// <summary>
/// A fake orchestrator plus a real <see cref="AgentRunner"/> talking HTTP to it, with its own work and state
/// directories. Disposing cancels whatever still runs (so a failed test does not leave a script behind), drains the
/// agent and deletes the directories.
/// </summary>
public sealed class AgentHarness : IAsyncDisposable
{
    private readonly CancellationTokenSource stop = new();
    private int nextId;

    private AgentHarness(FakeOrchestrator server, string directory)
    {
        Server = server;
        Directory = directory;
        Host = "host-" + Guid.NewGuid().ToString("N")[..8];
    }

    public FakeOrchestrator Server { get; }

    /// <summary>A fresh directory for the test: work/, state/ and anything else the test wants.</summary>
    public string Directory { get; }

    public string Host { get; }

    public AgentRunner? Runner { get; private set; }

    public Task? Run { get; private set; }

    public static async Task<AgentHarness> StartServerAsync()
    {
        var directory = Path.Combine(Path.GetTempPath(), "orch-agent-test-" + Guid.NewGuid().ToString("N")[..12]);
        System.IO.Directory.CreateDirectory(directory);
        return new AgentHarness(await FakeOrchestrator.StartNewAsync(), directory);
    }

    public static async Task<AgentHarness> StartAsync(Action<AgentOptions>? configure = null)
    {
        var harness = await StartServerAsync();
        harness.StartAgent(configure);
        return harness;
    }

    public AgentOptions Options(Action<AgentOptions>? configure = null)
    {
        var options = new AgentOptions
        {
            Server = Server.Address,
            Token = FakeOrchestrator.Token,
            Host = Host,
            Capacity = 4,
            WorkDirectory = Path.Combine(Directory, "work"),
            StateDirectory = Path.Combine(Directory, "state"),
            KillGracePeriod = TimeSpan.FromMilliseconds(500),
            OutputDrainTimeout = TimeSpan.FromSeconds(1),
            RetryBackoffMax = TimeSpan.FromMilliseconds(300),
        };
        options.Labels["env"] = "test";
        configure?.Invoke(options);
        return options;
    }

    public AgentRunner StartAgent(Action<AgentOptions>? configure = null, ILoggerFactory? loggerFactory = null)
    {
        Runner = new AgentRunner(Options(configure), loggerFactory);
        Run = Task.Run(() => Runner.RunAsync(stop.Token));
        return Runner;
    }

    /// <summary>Starts draining, as SIGTERM does.</summary>
    public Task StopAgentAsync() => stop.CancelAsync();

    public string NewId(string prefix = "a") => $"{prefix}-{Interlocked.Increment(ref nextId)}-{Guid.NewGuid().ToString("N")[..6]}";

    public Assignment Script(string source, string interpreter = "sh", int? timeoutMs = null, IReadOnlyList<string>? secrets = null,
        IReadOnlyList<string>? args = null, IReadOnlyDictionary<string, string>? env = null, string? id = null) =>
        new()
        {
            Id = id ?? NewId(),
            Host = Host,
            Kind = AssignmentKind.Script,
            Script = new ScriptWork(interpreter, source, args ?? [], env ?? new Dictionary<string, string>(), null),
            TimeoutMs = timeoutMs,
            Secrets = secrets ?? [],
        };

    /// <summary>Enqueues a script and waits for its Finished event.</summary>
    public async Task<AgentEvent> EnqueueAndWaitAsync(Assignment assignment)
    {
        Server.Enqueue(assignment);
        return await Server.WaitForFinishedAsync(assignment.Id);
    }

    public async ValueTask DisposeAsync()
    {
        Server.CancelEverything();
        await stop.CancelAsync();
        if (Run is not null)
        {
            await Run.WaitAsync(TimeSpan.FromSeconds(30));
        }
        await Server.DisposeAsync();
        stop.Dispose();
        try
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }
        catch (IOException)
        {
            // Best effort: the temp directory is the OS's to clean.
        }
    }
}
