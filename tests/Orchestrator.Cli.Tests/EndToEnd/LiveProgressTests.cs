using System.Diagnostics;
using Orchestrator.Cli.Tests.Infrastructure;
using Orchestrator.Runtime.Tests.Infrastructure;

namespace Orchestrator.Cli.Tests.EndToEnd;

/// <summary>
/// <c>run --follow</c> in a real terminal: tmux runs orch on a pseudo-terminal, and <c>capture-pane</c> shows what a person
/// would see: the live table while the run goes on, then the outcome and the exit code.
/// </summary>
[Collection(CliSiloCollection.Name)]
public sealed class LiveProgressTests(CliSiloFixture silo) : CliTestBase(silo)
{
    [Fact]
    public async Task RunFollow_InTerminal_ShowsLiveProgressTableThenOutcome()
    {
        var id = NewId("live");
        var gate = NewGate();
        await ApplyAsync(id, ScriptPlan("live-progress", $"echo waiting\nwhile [ ! -f {gate} ]; do sleep 0.05; done"));
        var socket = "orch-cli-" + Guid.NewGuid().ToString("N")[..8];
        var command = Orch.ShellCommand("run", id, "--follow") + "; echo \"EXIT=$?\"; sleep 300";
        await TmuxAsync(socket, "new-session", "-d", "-x", "140", "-y", "30", "-s", "live", command);
        try
        {
            var running = await Eventually.Until(() => CaptureAsync(socket), s => s.Contains("RUNNING", StringComparison.Ordinal) && s.Contains("running", StringComparison.Ordinal)
                && s.Contains("0 work", StringComparison.Ordinal), TimeSpan.FromSeconds(60), "the live table with the step running");
            Assert.Contains("SUCCEEDED", running);
            Assert.Contains("PENDING", running);
            Assert.Contains("ETA", running);
            Assert.Contains($"of plan {id} v1", running);
            Assert.Contains("▓", running); // the running part of the progress bar
            Assert.DoesNotContain("EXIT=", running);

            await File.WriteAllTextAsync(gate, "");
            var done = await Eventually.Until(() => CaptureAsync(socket), s => s.Contains("EXIT=", StringComparison.Ordinal), TimeSpan.FromSeconds(60), "orch to exit");
            Assert.Contains("EXIT=0", done);
            Assert.Matches(@"run \S+ succeeded after", done);
            Assert.Contains("█", done); // the bar filled with succeeded targets
        }
        finally
        {
            await TmuxAsync(socket, "kill-server");
        }
    }

    private static async Task<string> CaptureAsync(string socket) => await TmuxAsync(socket, "capture-pane", "-p", "-t", "live");

    private static async Task<string> TmuxAsync(string socket, params string[] args)
    {
        var info = new ProcessStartInfo("tmux") { RedirectStandardOutput = true, RedirectStandardError = true };
        info.ArgumentList.Add("-L");
        info.ArgumentList.Add(socket);
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }
        info.Environment["TERM"] = "xterm-256color";
        Process process;
        try
        {
            process = Process.Start(info)!;
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            throw new InvalidOperationException("tmux is needed for this test (apt-get install -y tmux; .ci/run installs it).", e);
        }
        using (process)
        {
            var output = await process.StandardOutput.ReadToEndAsync();
            await process.WaitForExitAsync();
            return output;
        }
    }
}
