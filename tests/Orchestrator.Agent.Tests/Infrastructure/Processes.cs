using System.Diagnostics;
using System.Globalization;

namespace Orchestrator.Agent.Tests.Infrastructure;

/// <summary>What the tests ask the OS about processes.</summary>
public static class Processes
{
    /// <summary>Gone, or a zombie waiting for a parent that will never reap it (the container's init may not).</summary>
    public static bool IsDead(int pid)
    {
        try
        {
            var stat = System.IO.File.ReadAllText($"/proc/{pid}/stat");
            return stat[(stat.LastIndexOf(')') + 2)] is 'Z' or 'X';
        }
        catch (IOException)
        {
            return true;
        }
    }

    public static int ParsePid(string text) => int.Parse(text.Trim(), CultureInfo.InvariantCulture);

    /// <summary>The pid on the log line that starts with <paramref name="prefix"/>, e.g. <c>child=1234</c>.</summary>
    public static int PidOnLine(string log, string prefix) =>
        ParsePid(log.Split('\n').First(l => l.StartsWith(prefix, StringComparison.Ordinal))[prefix.Length..]);

    /// <summary>The process's session id, from /proc.</summary>
    public static int SessionOf(int pid)
    {
        var stat = System.IO.File.ReadAllText($"/proc/{pid}/stat");
        return int.Parse(stat[(stat.LastIndexOf(')') + 2)..].Split(' ')[3], CultureInfo.InvariantCulture);
    }

    /// <summary>Kills a stray process a failed test left behind.</summary>
    public static void KillQuietly(int pid)
    {
        try
        {
            using var process = Process.GetProcessById(pid);
            process.Kill();
        }
        catch (Exception ex) when (ex is ArgumentException or InvalidOperationException or System.ComponentModel.Win32Exception)
        {
            // Already gone.
        }
    }
}
