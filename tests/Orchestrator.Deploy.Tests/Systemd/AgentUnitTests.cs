using System.Diagnostics;
using Orchestrator.Agent.Hosting;
using Orchestrator.Deploy.Tests.Infrastructure;

namespace Orchestrator.Deploy.Tests.Systemd;

/// <summary><c>deploy/systemd/</c>: the agent's unit and its environment file example.</summary>
public sealed class AgentUnitTests
{
    private static readonly string Unit = Repo.Path("deploy", "systemd", "orchestrator-agent.service");
    private static readonly string EnvironmentExample = Repo.Path("deploy", "systemd", "agent.env.example");

    private static IReadOnlyList<(string Key, string Value)> Directives() =>
        [.. File.ReadAllLines(Unit).Where(l => l.Length > 0 && !l.StartsWith('#') && !l.StartsWith('[') && l.Contains('=', StringComparison.Ordinal))
            .Select(l => (l[..l.IndexOf('=', StringComparison.Ordinal)], l[(l.IndexOf('=', StringComparison.Ordinal) + 1)..]))];

    [SkippableFact]
    public void Verify_SystemdAnalyze_FindsNothingWrong()
    {
        var analyze = new[] { "/usr/bin/systemd-analyze", "/bin/systemd-analyze" }.FirstOrDefault(File.Exists);
        Skip.If(analyze is null, "systemd-analyze is not installed");
        var info = new ProcessStartInfo(analyze) { RedirectStandardOutput = true, RedirectStandardError = true };
        info.ArgumentList.Add("verify");
        info.ArgumentList.Add(Unit);
        using var process = Process.Start(info)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        Assert.True(process.WaitForExit(TimeSpan.FromMinutes(1)), "systemd-analyze verify did not end");

        // It warns on stderr (and still exits 0) for directives it cannot parse; /usr/bin/dotnet may be missing here.
        var problems = (output.Result + error.Result).Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Where(l => !l.Contains("/usr/bin/dotnet", StringComparison.Ordinal) && !l.Contains("Orchestrator.Agent.dll", StringComparison.Ordinal)).ToList();
        Assert.True(problems.Count == 0, string.Join("\n", problems));
    }

    [Fact]
    public void Unit_StopsByDrainingTheAgentOnly_AndKeepsTheTokenOutOfTheEnvironment()
    {
        var directives = Directives().ToLookup(d => d.Key, d => d.Value);

        // SIGTERM to the agent alone: it drains, letting scripts finish; control-group would signal every script at once.
        Assert.Equal(["mixed"], directives["KillMode"]);
        Assert.Equal(["orchestrator-agent"], directives["User"]);
        Assert.Equal(["yes"], directives["NoNewPrivileges"]);
        Assert.Equal(["full"], directives["ProtectSystem"]);
        Assert.Empty(directives["PrivateTmp"]); // distributed files in /tmp must be the host's /tmp
        Assert.Empty(directives["MemoryDenyWriteExecute"]); // the .NET JIT needs it off
        Assert.Single(directives["LoadCredential"], c => c.StartsWith("agent-token:", StringComparison.Ordinal));
        Assert.Contains("ORCH_AGENT_TOKEN_FILE=%d/agent-token", directives["Environment"]);
        Assert.DoesNotContain(directives["Environment"], e => e.StartsWith("ORCH_AGENT_TOKEN=", StringComparison.Ordinal));
    }

    [Fact]
    public void Environment_UnitAndExample_AreOptionsTheAgentParses()
    {
        var token = Path.GetTempFileName();
        File.WriteAllText(token, "stand-in\n");
        try
        {
            var environment = new Dictionary<string, string?>(StringComparer.Ordinal);
            foreach (var line in File.ReadAllLines(EnvironmentExample).Where(l => l.Length > 0 && !l.StartsWith('#')))
            {
                environment[line[..line.IndexOf('=', StringComparison.Ordinal)]] = line[(line.IndexOf('=', StringComparison.Ordinal) + 1)..];
            }
            foreach (var (_, value) in Directives().Where(d => d.Key == "Environment"))
            {
                environment[value[..value.IndexOf('=', StringComparison.Ordinal)]] = value[(value.IndexOf('=', StringComparison.Ordinal) + 1)..];
            }
            Assert.All(environment.Keys, k => Assert.Contains(k, AgentCommandLine.EnvironmentNames));
            environment["ORCH_AGENT_TOKEN_FILE"] = token; // %d: the credentials directory systemd makes

            var parsed = AgentCommandLine.Parse([], environment);

            Assert.True(parsed.Errors.Count == 0, string.Join(" | ", parsed.Errors));
            Assert.Equal("stand-in", parsed.Options.Token);
            Assert.Equal("/var/lib/orchestrator-agent/work", parsed.Options.WorkDirectory);
        }
        finally
        {
            File.Delete(token);
        }
    }
}
