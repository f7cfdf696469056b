using System.Diagnostics;
using System.Text;
using Orchestrator.Engine.Tests.Infrastructure;
using Xunit.Abstractions;

namespace Orchestrator.Engine.Tests.EndToEnd;

/// <summary>
/// <c>examples/Orchestrator.Examples.Client</c>, a programmatic grain client: against the real single-node silo process
/// it connects as an Orleans client through the silo's gateway, saves and runs <c>examples/hello.yaml</c> through
/// <c>IPlanGrain</c> and follows the task instance to its end.
/// </summary>
public sealed class ExampleClientTests(ITestOutputHelper output) : IAsyncLifetime
{
    private SiloProcess? _silo;

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        if (_silo is not null)
        {
            output.WriteLine(_silo.Log);
            await _silo.DisposeAsync();
        }
    }

    [Fact]
    public async Task ExampleClient_AgainstTheSingleNodeSilo_RunsHelloToSuccess()
    {
        var gateway = EngineHarness.FreePort();
        _silo = SiloProcess.Start(SiloProcess.NewDataDirectory("example-client"), "--silo-port", $"{EngineHarness.FreePort()}", "--gateway-port", $"{gateway}",
            "--shutdown-drain-timeout", "00:00:05");
        await _silo.WaitForHostAsync("local");

        var info = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in new[] { Repo.Built("examples", "Orchestrator.Examples.Client"), Repo.Path("examples", "hello.yaml"), "--gateway-port", $"{gateway}", "--timeout", "00:01:00" })
        {
            info.ArgumentList.Add(arg);
        }
        using var client = Process.Start(info)!;
        var log = new StringBuilder();
        client.OutputDataReceived += (_, e) => { lock (log) { log.AppendLine(e.Data); } };
        client.ErrorDataReceived += (_, e) => { lock (log) { log.AppendLine(e.Data); } };
        client.BeginOutputReadLine();
        client.BeginErrorReadLine();
        try
        {
            await client.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(90));
        }
        finally
        {
            if (!client.HasExited)
            {
                client.Kill(entireProcessTree: true);
            }
            output.WriteLine("--- example client ---\n" + log);
        }

        Assert.True(client.ExitCode == 0, $"exit {client.ExitCode}:\n{log}");
        var text = log.ToString();
        Assert.Contains("plan hello version", text, StringComparison.Ordinal);
        Assert.Contains("Succeeded (greet: Succeeded)", text, StringComparison.Ordinal);
    }
}
