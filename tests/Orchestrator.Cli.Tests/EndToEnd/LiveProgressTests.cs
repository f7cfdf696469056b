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
            Assert.Matches(@"BATCH[\s\S]*\b1/1\b", running); // the server's rolling batch, not a count of targets in flight
            Assert.DoesNotContain("in flight", running);
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

    [Fact]
    public async Task RunFollow_CtrlCInTerminal_SaysRunGoesOnAndExits130()
    {
        var id = NewId("ctrlc");
        var gate = NewGate();
        await ApplyAsync(id, ScriptPlan("interrupted", $"while [ ! -f {gate} ]; do sleep 0.05; done"));
        var socket = "orch-cli-" + Guid.NewGuid().ToString("N")[..8];
        await TmuxAsync(socket, "new-session", "-d", "-x", "140", "-y", "30", "-s", "live", Orch.ShellCommand("run", id, "--follow") + "; echo \"EXIT=$?\"; sleep 300");
        try
        {
            await Eventually.Until(() => CaptureAsync(socket), s => s.Contains("1/1", StringComparison.Ordinal), TimeSpan.FromSeconds(60), "the step running in batch 1/1");

            await TmuxAsync(socket, "send-keys", "-t", "live", "C-c");

            var done = await Eventually.Until(() => CaptureAsync(socket), s => s.Contains("EXIT=", StringComparison.Ordinal), TimeSpan.FromSeconds(30), "orch to exit");
            Assert.Contains("EXIT=130", done);
            Assert.Matches(@"stopped following; run (\S+) goes on", done);
            var instance = System.Text.RegularExpressions.Regex.Match(done, @"run (\S+) goes on").Groups[1].Value;
            Assert.Equal("running", (await InstanceAsync(instance)).GetProperty("status").GetString());
        }
        finally
        {
            await File.WriteAllTextAsync(gate, "");
            await TmuxAsync(socket, "kill-server");
        }
    }

    private static async Task<string> CaptureAsync(string socket) => await TmuxAsync(socket, "capture-pane", "-p", "-t", "live");

    private static Task<string> TmuxAsync(string socket, params string[] args) => Shell.RunAsync("tmux", ["-L", socket, .. args]);
}
