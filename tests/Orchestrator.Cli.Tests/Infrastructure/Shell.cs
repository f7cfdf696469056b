using System.Diagnostics;

namespace Orchestrator.Cli.Tests.Infrastructure;

/// <summary>Runs a short command (bash, tmux) and returns what it printed on standard output.</summary>
public static class Shell
{
    public static async Task<string> RunAsync(string file, params string[] args)
    {
        var info = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true };
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
            throw new InvalidOperationException($"{file} is needed for this test (apt-get install -y {file}; .ci/run installs tmux).", e);
        }
        using (process)
        {
            var output = process.StandardOutput.ReadToEndAsync();
            var error = process.StandardError.ReadToEndAsync();
            await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(60));
            return await output + await error;
        }
    }
}
