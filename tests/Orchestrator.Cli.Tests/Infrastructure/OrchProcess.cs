using System.Diagnostics;
using System.Text;

namespace Orchestrator.Cli.Tests.Infrastructure;

/// <summary>What an <c>orch</c> process printed and how it exited.</summary>
public sealed record OrchResult(int ExitCode, string Stdout, string Stderr)
{
    public override string ToString() => $"exit {ExitCode}\n--- stdout\n{Stdout}\n--- stderr\n{Stderr}";
}

/// <summary>
/// Runs the CLI as its own process (<c>dotnet orch.dll ...</c> from its build output) with standard output redirected,
/// a contexts file of the test's own (<c>XDG_CONFIG_HOME</c>), no ORCH_* settings of the machine, and a short poll
/// interval so that <c>--follow</c> sees changes quickly.
/// </summary>
public sealed class OrchProcess(string configHome)
{
    public static readonly string Dll = Repo.Built("cli", "Orchestrator.Cli", "orch");

    public string ConfigHome { get; } = configHome;

    /// <summary>The contexts file the CLI writes.</summary>
    public string ConfigFile => Path.Combine(ConfigHome, "orch", "config.yaml");

    public Dictionary<string, string> Environment { get; } = new(StringComparer.Ordinal) { ["ORCH_POLL_INTERVAL"] = "200" };

    public Task<OrchResult> RunAsync(params string[] args) => RunAsync(TimeSpan.FromSeconds(90), args);

    public async Task<OrchResult> RunAsync(TimeSpan timeout, params string[] args)
    {
        using var process = Start(args, out var stdout, out var stderr);
        try
        {
            await process.WaitForExitAsync().WaitAsync(timeout);
        }
        catch (TimeoutException)
        {
            process.Kill(entireProcessTree: true);
            Assert.Fail($"orch {string.Join(' ', args)} did not end within {timeout}:\n--- stdout\n{Text(stdout)}\n--- stderr\n{Text(stderr)}");
        }
        process.WaitForExit(); // the output's last lines
        return new OrchResult(process.ExitCode, Text(stdout), Text(stderr));
    }

    /// <summary>Starts orch without waiting: the test reads <paramref name="stdout"/> as it grows.</summary>
    public Process Start(string[] args, out StringBuilder stdout, out StringBuilder stderr)
    {
        var info = StartInfo(args);
        info.RedirectStandardOutput = true;
        info.RedirectStandardError = true;
        info.RedirectStandardInput = true;
        var process = Process.Start(info)!;
        var output = new StringBuilder();
        var error = new StringBuilder();
        process.OutputDataReceived += (_, e) => Append(output, e.Data);
        process.ErrorDataReceived += (_, e) => Append(error, e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        process.StandardInput.Close();
        stdout = output;
        stderr = error;
        return process;
    }

    /// <summary>The environment assignments and command line of this CLI, for a shell (tmux).</summary>
    public string ShellCommand(params string[] args)
    {
        var env = string.Join(' ', Environment.Append(new("XDG_CONFIG_HOME", ConfigHome)).Select(e => $"{e.Key}={Quote(e.Value)}"));
        return $"env {env} dotnet {Quote(Dll)} {string.Join(' ', args.Select(Quote))}";
    }

    public static string Text(StringBuilder text)
    {
        lock (text)
        {
            return text.ToString();
        }
    }

    private ProcessStartInfo StartInfo(string[] args)
    {
        var info = new ProcessStartInfo("dotnet") { UseShellExecute = false };
        info.ArgumentList.Add(Dll);
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }
        foreach (var name in info.Environment.Keys.Where(k => k.StartsWith("ORCH_", StringComparison.Ordinal)).ToList())
        {
            info.Environment.Remove(name);
        }
        info.Environment["XDG_CONFIG_HOME"] = ConfigHome;
        foreach (var (name, value) in Environment)
        {
            info.Environment[name] = value;
        }
        return info;
    }

    private static void Append(StringBuilder text, string? line)
    {
        if (line is null)
        {
            return;
        }
        lock (text)
        {
            text.AppendLine(line);
        }
    }

    private static string Quote(string value) => "'" + value.Replace("'", "'\\''", StringComparison.Ordinal) + "'";
}
