using System.Globalization;
using Orchestrator.Runtime.Tests.Infrastructure;

namespace Orchestrator.Engine.Tests.Infrastructure;

/// <summary>Processes that test scripts start and record in pid files: read them and wait for them to be killed.</summary>
public static class ScriptProcesses
{
    public static async Task<int> ReadPidAsync(string pidFile) =>
        int.Parse((await File.ReadAllTextAsync(pidFile)).Trim(), CultureInfo.InvariantCulture);

    /// <summary>Waits until the process is gone (or a zombie: dead, only not yet reaped).</summary>
    public static Task WaitGoneAsync(int pid, TimeSpan timeout, string what) =>
        Eventually.Until(() => Task.FromResult(IsAlive(pid)), alive => !alive, timeout, $"{what} ({pid}) killed");

    public static bool IsAlive(int pid)
    {
        try
        {
            var text = File.ReadAllText($"/proc/{pid}/stat");
            return text[(text.LastIndexOf(')') + 2)] != 'Z';
        }
        catch (IOException)
        {
            return false; // no such process (FileNotFound/DirectoryNotFound are IOExceptions)
        }
    }
}
