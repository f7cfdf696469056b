using System.Diagnostics;
using System.Text;
using Orchestrator.Engine.Tests.Infrastructure;

namespace Orchestrator.Engine.Tests.Examples;

/// <summary>
/// The grain-client example (<c>examples/GrainClient</c>) run as its own process from its own build output, to its exit:
/// exit code, standard output and standard error, each kept apart.
/// </summary>
public sealed record ExampleProcess(int ExitCode, string Output, string Error)
{
    public static string Dll => Repo.Built("examples", "GrainClient");

    /// <summary>Runs the example with <paramref name="args"/>; fails the test if it has not exited within <paramref name="deadline"/>.</summary>
    public static async Task<ExampleProcess> RunAsync(TimeSpan deadline, params string[] args)
    {
        var info = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = Repo.Root,
        };
        info.ArgumentList.Add(Dll);
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }
        foreach (var name in info.Environment.Keys.Where(k => k.StartsWith("ORCH_", StringComparison.Ordinal)).ToList())
        {
            info.Environment.Remove(name);
        }
        using var process = Process.Start(info)!;
        var output = new StringBuilder();
        var error = new StringBuilder();
        process.OutputDataReceived += (_, e) => Append(output, e.Data);
        process.ErrorDataReceived += (_, e) => Append(error, e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        try
        {
            await process.WaitForExitAsync().WaitAsync(deadline);
        }
        catch (TimeoutException)
        {
            process.Kill(entireProcessTree: true);
            Assert.Fail($"the example did not exit within {deadline}.\nstdout:\n{Text(output)}\nstderr:\n{Text(error)}");
        }
        process.WaitForExit(); // the last lines of output
        return new ExampleProcess(process.ExitCode, Text(output), Text(error));
    }

    public override string ToString() => $"exit code {ExitCode}\nstdout:\n{Output}\nstderr:\n{Error}";

    private static void Append(StringBuilder text, string? line)
    {
        if (line is not null)
        {
            lock (text)
            {
                text.AppendLine(line);
            }
        }
    }

    private static string Text(StringBuilder text)
    {
        lock (text)
        {
            return text.ToString();
        }
    }
}
