using System.Diagnostics;
using System.Text;

namespace Orchestrator.Console.Tests.Infrastructure;

/// <summary>
/// A real agent process (<c>Orchestrator.Agent</c>, built beside the tests) answering for one host, or for a simulated
/// fleet, against a server; killed with its process tree when disposed.
/// </summary>
public sealed class AgentProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _log = new();

    private AgentProcess(Process process) => _process = process;

    public string Log
    {
        get
        {
            lock (_log)
            {
                return _log.ToString();
            }
        }
    }

    /// <summary>Starts an agent; <paramref name="arguments"/> after <c>--server</c> and <c>--token</c> (<c>--host web-1</c>, <c>--simulate 10000</c>...).</summary>
    public static AgentProcess Start(string server, string token, string folder, params string[] arguments)
    {
        Directory.CreateDirectory(folder);
        var info = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = folder };
        foreach (var arg in new[] { Repo.Built("agent", "Orchestrator.Agent"), "--server", server, "--work-dir", Path.Combine(folder, "work") }.Concat(arguments))
        {
            info.ArgumentList.Add(arg);
        }
        foreach (var name in info.Environment.Keys.Where(k => k.StartsWith("ORCH_", StringComparison.Ordinal)).ToList())
        {
            info.Environment.Remove(name);
        }
        info.Environment["ORCH_AGENT_TOKEN"] = token; // not on the command line
        info.Environment["Logging__LogLevel__Default"] = "Warning";
        var agent = new AgentProcess(Process.Start(info)!);
        agent._process.OutputDataReceived += (_, e) => agent.Append(e.Data);
        agent._process.ErrorDataReceived += (_, e) => agent.Append(e.Data);
        agent._process.BeginOutputReadLine();
        agent._process.BeginErrorReadLine();
        return agent;
    }

    public bool HasExited => _process.HasExited;

    private void Append(string? line)
    {
        if (line is null)
        {
            return;
        }
        lock (_log)
        {
            if (_log.Length < 100_000)
            {
                _log.AppendLine(line);
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(20));
        }
        _process.Dispose();
    }
}
