using System.Diagnostics;
using System.Text;

namespace Orchestrator.Engine.Tests.Infrastructure;

/// <summary>A real agent process (the agent's own executable), answering for one host or a simulated fleet.</summary>
public sealed class AgentProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _log = new();

    private AgentProcess(Process process, string host)
    {
        _process = process;
        Host = host;
    }

    public string Host { get; }

    public int Pid => _process.Id;

    public bool HasExited => _process.HasExited;

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

    /// <summary>The agent as its own project built it, with its own dependencies.</summary>
    public static string AgentDll => Repo.Built("agent", "Orchestrator.Agent");

    /// <summary>Starts <c>dotnet Orchestrator.Agent.dll</c> with the given host, labels and extra arguments.</summary>
    public static AgentProcess Start(string server, string token, string host, IReadOnlyDictionary<string, string>? labels = null, string stateDir = "", params string[] extra)
    {
        var work = Path.Combine(Path.GetTempPath(), "orch-agent-tests", host + "-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(work);
        var info = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = work,
        };
        info.ArgumentList.Add(AgentDll);
        foreach (var arg in new[] { "--server", server, "--token", token, "--host", host, "--work-dir", work, "--state-dir", stateDir.Length > 0 ? stateDir : Path.Combine(work, "state") })
        {
            info.ArgumentList.Add(arg);
        }
        foreach (var (key, value) in labels ?? new Dictionary<string, string>())
        {
            info.ArgumentList.Add("--label");
            info.ArgumentList.Add($"{key}={value}");
        }
        foreach (var arg in extra)
        {
            info.ArgumentList.Add(arg);
        }
        var process = Process.Start(info)!;
        var agent = new AgentProcess(process, host);
        process.OutputDataReceived += (_, e) => agent.Append(e.Data);
        process.ErrorDataReceived += (_, e) => agent.Append(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return agent;
    }

    private void Append(string? line)
    {
        if (line is null)
        {
            return;
        }
        lock (_log)
        {
            if (_log.Length < 200_000)
            {
                _log.AppendLine(line);
            }
        }
    }

    /// <summary>SIGKILL: the agent dies at once, as in a crash (its scripts' process groups are left behind).</summary>
    public void Kill() => _process.Kill(entireProcessTree: false);

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(10)).ConfigureAwait(false);
        }
        _process.Dispose();
    }
}
