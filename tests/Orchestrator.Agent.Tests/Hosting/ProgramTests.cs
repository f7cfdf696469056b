using System.Diagnostics;
using Orchestrator.Agent.Protocol;
using Orchestrator.Agent.Tests.Infrastructure;

namespace Orchestrator.Agent.Tests.Hosting;

/// <summary>The executable itself, started as a separate process.</summary>
public sealed class ProgramTests
{
    [Fact]
    public async Task Program_Sigterm_DrainsRunningScriptAndExitsZero()
    {
        await using var harness = await AgentHarness.StartServerAsync();
        var release = Path.Combine(harness.Directory, "release");
        var assignment = harness.Script($"while [ ! -e '{release}' ]; do sleep 0.05; done");
        harness.Server.Enqueue(assignment);
        using var agent = StartAgentProcess(harness, Path.Combine(harness.Directory, "state"));
        try
        {
            await Eventually.True(() => harness.Server.Events(assignment.Id).Any(e => e.Type == AgentEventType.Started), "the script to start");

            Signal(agent.Process.Id, "TERM");
            await Eventually.True(() => harness.Server.Heartbeats().Any(h => h.Draining), "a draining heartbeat");
            Assert.False(agent.Process.HasExited);
            await File.WriteAllTextAsync(release, "");
            await agent.Process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(30));

            Assert.Equal(0, agent.Process.ExitCode);
            Assert.Equal(AgentOutcome.Succeeded, harness.Server.Finished(assignment.Id)?.Outcome);
        }
        finally
        {
            agent.KillIfRunning();
        }
    }

    [Fact]
    public async Task Startup_ProcessGroupLeftByKilledAgent_IsKilled()
    {
        await using var harness = await AgentHarness.StartServerAsync();
        var state = Path.Combine(harness.Directory, "state");
        var assignment = harness.Script("sleep 1000 &\necho \"child=$!\"\nwait");
        harness.Server.Enqueue(assignment);
        int child;
        using (var agent = StartAgentProcess(harness, state))
        {
            var log = await Eventually.Until(() => harness.Server.Log(assignment.Id, "stdout"), l => l.Contains("\nchild=", StringComparison.Ordinal) || l.StartsWith("child=", StringComparison.Ordinal), "the child's pid");
            child = Processes.PidOnLine(log, "child=");
            agent.Process.Kill();
            await agent.Process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(10));
        }
        try
        {
            Assert.False(Processes.IsDead(child), "the orphan outlives the killed agent");
            Assert.Single(Directory.GetFiles(state, "pg-*.json"));

            harness.StartAgent(o => o.StateDirectory = state);

            await Eventually.True(() => Processes.IsDead(child), $"orphaned child {child} to be killed");
            await Eventually.True(() => Directory.GetFiles(state, "pg-*.json").Length == 0, "the record to be removed");
        }
        finally
        {
            Processes.KillQuietly(child);
        }
    }

    [Fact]
    public async Task Program_InvalidOptions_ExitsTwoNamingEachProblem()
    {
        var startInfo = DotnetAgent(["--server", "not a url", "--capacity", "0", "--frobnicate", "1"]);
        startInfo.Environment.Remove("ORCH_AGENT_TOKEN");
        using var process = Process.Start(startInfo)!;
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(30));

        Assert.Equal(2, process.ExitCode);
        var text = await stderr;
        Assert.Contains("--server: 'not a url' is invalid", text, StringComparison.Ordinal);
        Assert.Contains("Capacity: 0 must be at least 1", text, StringComparison.Ordinal);
        Assert.Contains("--frobnicate: unknown option", text, StringComparison.Ordinal);
        Assert.Contains("Token: required", text, StringComparison.Ordinal);
    }

    private static AgentProcess StartAgentProcess(AgentHarness harness, string stateDirectory)
    {
        var startInfo = DotnetAgent([
            "--server", harness.Server.Address.ToString(), "--host", harness.Host, "--label", "env=test",
            "--work-dir", Path.Combine(harness.Directory, "work"), "--state-dir", stateDirectory,
            "--kill-grace", "500ms", "--retry-backoff-max", "300ms", "--log-level", "Debug",
        ]);
        startInfo.Environment["ORCH_AGENT_TOKEN"] = FakeOrchestrator.Token;
        return new AgentProcess(Process.Start(startInfo)!);
    }

    private static ProcessStartInfo DotnetAgent(IEnumerable<string> args)
    {
        var startInfo = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        startInfo.ArgumentList.Add("exec");
        startInfo.ArgumentList.Add(AgentDll());
        foreach (var arg in args)
        {
            startInfo.ArgumentList.Add(arg);
        }
        return startInfo;
    }

    /// <summary>The agent's own build output (built with the tests as a project reference). The copy in the tests' output
    /// would miss the logging assemblies, which the tests take from the ASP.NET Core shared framework instead.</summary>
    private static string AgentDll()
    {
        // tests/Orchestrator.Agent.Tests/bin/<Configuration>/<tfm>/ → agent/Orchestrator.Agent/bin/<Configuration>/<tfm>/
        var output = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar));
        var configuration = output.Parent!.Name;
        var repository = output.Parent.Parent!.Parent!.Parent!.Parent!.FullName;
        var path = Path.Combine(repository, "agent", "Orchestrator.Agent", "bin", configuration, output.Name, "Orchestrator.Agent.dll");
        Assert.True(File.Exists(path), $"the agent's build output is missing: {path}");
        return path;
    }

    private static void Signal(int pid, string signal)
    {
        using var kill = Process.Start("kill", ["-" + signal, pid.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
        kill.WaitForExit();
        Assert.Equal(0, kill.ExitCode);
    }

    /// <summary>An agent process whose output is read (so it never blocks on a full pipe) and kept for failures.</summary>
    private sealed class AgentProcess : IDisposable
    {
        public AgentProcess(Process process)
        {
            Process = process;
            process.OutputDataReceived += (_, e) => Output.Add(e.Data);
            process.ErrorDataReceived += (_, e) => Output.Add(e.Data);
            process.BeginOutputReadLine();
            process.BeginErrorReadLine();
        }

        public Process Process { get; }

        public System.Collections.Concurrent.ConcurrentBag<string?> Output { get; } = [];

        public void KillIfRunning()
        {
            if (!Process.HasExited)
            {
                Process.Kill();
            }
        }

        public void Dispose() => Process.Dispose();
    }
}
