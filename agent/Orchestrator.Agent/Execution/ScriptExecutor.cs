using System.ComponentModel;
using System.Diagnostics;
using System.Text;
using Microsoft.Extensions.Logging;
using Orchestrator.Agent.Protocol;

namespace Orchestrator.Agent.Execution;

/// <summary>
/// Runs a script assignment: writes the source to a file under the work directory, starts
/// <c>setsid &lt;interpreter&gt; &lt;file&gt; &lt;args…&gt;</c> (a session and process group of its own, recorded in the
/// state directory), streams stdout and stderr through <see cref="OutputChunker"/>s, and on timeout or cancellation
/// kills the whole tree (<see cref="ProcessGroups"/>).
/// </summary>
internal sealed partial class ScriptExecutor(AgentOptions options, ProcessGroupJournal journal, TimeProvider timeProvider, ILogger logger)
{
    private static readonly string? SetsidPath = FindOnPath("setsid", Environment.GetEnvironmentVariable("PATH"));

    public async Task<ExecutionResult> RunAsync(Assignment assignment, AssignmentLog log, Action started, CancellationToken kill)
    {
        if (assignment.Script is not { } script)
        {
            log.System("The assignment has no script.");
            return ExecutionResult.Error;
        }
        var startInfo = new ProcessStartInfo
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            StandardOutputEncoding = new UTF8Encoding(false),
            StandardErrorEncoding = new UTF8Encoding(false),
            WorkingDirectory = script.WorkingDirectory ?? options.WorkDirectory,
        };
        PrepareEnvironment(startInfo, assignment, script);
        var interpreter = FindOnPath(script.Interpreter, startInfo.Environment.TryGetValue("PATH", out var path) ? path : null);
        if (interpreter is null)
        {
            log.System($"The interpreter '{script.Interpreter}' was not found on PATH.");
            return ExecutionResult.Error;
        }
        if (!Directory.Exists(startInfo.WorkingDirectory))
        {
            log.System($"The working directory '{startInfo.WorkingDirectory}' does not exist.");
            return ExecutionResult.Error;
        }

        var scriptPath = WriteScript(assignment.Id, script);
        try
        {
            if (SetsidPath is not null)
            {
                startInfo.FileName = SetsidPath;
                startInfo.ArgumentList.Add(interpreter);
            }
            else
            {
                startInfo.FileName = interpreter;
            }
            foreach (var argument in InterpreterArguments(script.Interpreter))
            {
                startInfo.ArgumentList.Add(argument);
            }
            startInfo.ArgumentList.Add(scriptPath);
            foreach (var argument in script.Args)
            {
                startInfo.ArgumentList.Add(argument);
            }
            return await RunProcessAsync(startInfo, assignment, log, started, kill).ConfigureAwait(false);
        }
        finally
        {
            TryDelete(scriptPath);
        }
    }

    private async Task<ExecutionResult> RunProcessAsync(ProcessStartInfo startInfo, Assignment assignment, AssignmentLog log, Action started, CancellationToken kill)
    {
        using var process = new Process { StartInfo = startInfo };
        try
        {
            process.Start();
        }
        catch (Win32Exception ex)
        {
            log.System($"The script could not be started: {ex.Message}");
            return ExecutionResult.Error;
        }
        // In its own session through setsid (which does not fork here: we are not a group leader), so pid = pgid = sid.
        var groupId = process.Id;
        using var record = SetsidPath is null ? null : journal.Record(assignment.Id, groupId);
        started();
        Log.ScriptStarted(logger, assignment.Id, groupId, startInfo.ArgumentList.Count > 0 ? startInfo.ArgumentList[0] : startInfo.FileName);
        process.StandardInput.Close();

        var stdout = new OutputChunker("stdout", log, options.MaxChunkChars);
        var stderr = new OutputChunker("stderr", log, options.MaxChunkChars);
        using var reading = new CancellationTokenSource();
        var pumps = Task.WhenAll(
            PumpAsync(process.StandardOutput.BaseStream, stdout, log, reading.Token),
            PumpAsync(process.StandardError.BaseStream, stderr, log, reading.Token));
        using var flushing = new CancellationTokenSource();
        var flusher = FlushPeriodicallyAsync([stdout, stderr], flushing.Token);

        var killed = false;
        try
        {
            await process.WaitForExitAsync(kill).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (kill.IsCancellationRequested)
        {
            killed = true;
            Log.KillingScript(logger, assignment.Id, groupId);
            if (SetsidPath is not null)
            {
                await ProcessGroups.KillTreeAsync(groupId, options.KillGracePeriod, timeProvider, CancellationToken.None).ConfigureAwait(false);
            }
            else
            {
                process.Kill(entireProcessTree: true);
            }
            await process.WaitForExitAsync(CancellationToken.None).ConfigureAwait(false);
        }

        try
        {
            await pumps.WaitAsync(options.OutputDrainTimeout, timeProvider, CancellationToken.None).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            // Background children still hold the pipes open; stop waiting for them (they get SIGPIPE if they write).
            await reading.CancelAsync().ConfigureAwait(false);
            await pumps.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            log.System($"Stopped reading output {options.OutputDrainTimeout.TotalSeconds:0.#} s after the script exited: background processes still hold it open.");
        }
        await flushing.CancelAsync().ConfigureAwait(false);
        await flusher.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        stdout.Flush(final: true);
        stderr.Flush(final: true);

        var exitCode = process.ExitCode;
        Log.ScriptExited(logger, assignment.Id, exitCode, killed);
        return killed ? new ExecutionResult(AgentOutcome.Cancelled, exitCode, Killed: true)
            : new ExecutionResult(exitCode == 0 ? AgentOutcome.Succeeded : AgentOutcome.Failed, exitCode);
    }

    /// <summary>Reads the raw bytes (not through the process's StreamReader, which would switch to UTF-16 or UTF-32
    /// on output that starts like a byte order mark); the chunker decodes them.</summary>
    private static async Task PumpAsync(Stream output, OutputChunker chunker, AssignmentLog log, CancellationToken cancellationToken)
    {
        var buffer = new byte[4096];
        while (true)
        {
            await log.Queue.WaitForRoomAsync(cancellationToken).ConfigureAwait(false);
            var read = await output.ReadAsync(buffer.AsMemory(), cancellationToken).ConfigureAwait(false);
            if (read == 0)
            {
                return;
            }
            chunker.Write(buffer.AsSpan(0, read));
        }
    }

    private async Task FlushPeriodicallyAsync(OutputChunker[] chunkers, CancellationToken cancellationToken)
    {
        using var timer = new PeriodicTimer(options.OutputFlushInterval, timeProvider);
        while (await timer.WaitForNextTickAsync(cancellationToken).ConfigureAwait(false))
        {
            foreach (var chunker in chunkers)
            {
                chunker.Flush(final: false);
            }
        }
    }

    private void PrepareEnvironment(ProcessStartInfo startInfo, Assignment assignment, ScriptWork script)
    {
        // The agent's own settings (its token above all) are not the script's business.
        foreach (var name in startInfo.Environment.Keys.Where(k => k.StartsWith("ORCH_AGENT_", StringComparison.Ordinal)).ToArray())
        {
            startInfo.Environment.Remove(name);
        }
        // Python buffers a piped stdout; unbuffered, its ::progress lines arrive when printed.
        startInfo.Environment["PYTHONUNBUFFERED"] = "1";
        foreach (var (name, value) in script.Env)
        {
            startInfo.Environment[name] = value;
        }
        startInfo.Environment["ORCH_ASSIGNMENT_ID"] = assignment.Id;
        startInfo.Environment["ORCH_HOST"] = assignment.Host;
    }

    private string WriteScript(string assignmentId, ScriptWork script)
    {
        var directory = Path.Combine(options.WorkDirectory, "scripts");
        Directory.CreateDirectory(directory);
        var safeId = string.Concat(assignmentId.Select(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.' ? c : '_'));
        var path = Path.Combine(directory, $"{safeId}-{Guid.NewGuid():N}{Extension(script.Interpreter)}");
        var fileOptions = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows())
        {
            fileOptions.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }
        using (var writer = new StreamWriter(path, new UTF8Encoding(false), fileOptions))
        {
            writer.Write(script.Source);
        }
        return path;
    }

    private static string Extension(string interpreter) => Path.GetFileNameWithoutExtension(interpreter) switch
    {
        "sh" or "bash" or "dash" or "zsh" or "ksh" => ".sh",
        var name when name.StartsWith("python", StringComparison.Ordinal) => ".py",
        "pwsh" or "powershell" => ".ps1",
        _ => "",
    };

    private static string[] InterpreterArguments(string interpreter) => Path.GetFileNameWithoutExtension(interpreter) switch
    {
        "pwsh" or "powershell" => ["-NoLogo", "-NoProfile", "-NonInteractive", "-File"],
        _ => [],
    };

    internal static string? FindOnPath(string name, string? path)
    {
        if (name.Contains('/', StringComparison.Ordinal))
        {
            return File.Exists(name) ? Path.GetFullPath(name) : null;
        }
        foreach (var directory in (path ?? "/usr/local/bin:/usr/bin:/bin").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries))
        {
            var candidate = Path.Combine(directory, name);
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }
        return null;
    }

    private static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (IOException)
        {
            // A leftover script file in the work directory is harmless.
        }
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 3001, Level = LogLevel.Debug, Message = "Assignment {AssignmentId}: started process group {ProcessGroupId} ({Interpreter})")]
        public static partial void ScriptStarted(ILogger logger, string assignmentId, int processGroupId, string interpreter);

        [LoggerMessage(EventId = 3002, Level = LogLevel.Information, Message = "Assignment {AssignmentId}: killing process group {ProcessGroupId}")]
        public static partial void KillingScript(ILogger logger, string assignmentId, int processGroupId);

        [LoggerMessage(EventId = 3003, Level = LogLevel.Debug, Message = "Assignment {AssignmentId}: the script exited with {ExitCode} (killed: {Killed})")]
        public static partial void ScriptExited(ILogger logger, string assignmentId, int exitCode, bool killed);
    }
}
