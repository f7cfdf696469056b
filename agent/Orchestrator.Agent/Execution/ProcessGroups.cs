using System.Globalization;
using System.Runtime.InteropServices;

namespace Orchestrator.Agent.Execution;

/// <summary>
/// Kills a script's whole process tree. Scripts start in a session of their own (through <c>setsid</c>), so the
/// script's pid is also its process group and session id, and every child it forks stays in them: SIGTERM to the
/// group and to every member of the session, a grace period, then SIGKILL. Processes that started a session of
/// their own (daemons) are deliberately left alone.
/// </summary>
internal static partial class ProcessGroups
{
    public const int SigTerm = 15;
    public const int SigKill = 9;
    private const int Esrch = 3;
    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(50);

    /// <summary>Whether any live (not zombie) process is still in the group or session.</summary>
    public static bool IsAlive(int groupId)
    {
        if (ProcFs.Available)
        {
            return ProcFs.Members(groupId).Any(p => p.State != 'Z');
        }
        return kill(-groupId, 0) == 0 || Marshal.GetLastPInvokeError() != Esrch;
    }

    /// <summary>SIGTERM, up to <paramref name="grace"/> for the tree to go, then SIGKILL.</summary>
    public static async Task KillTreeAsync(int groupId, TimeSpan grace, TimeProvider timeProvider, CancellationToken cancellationToken)
    {
        Signal(groupId, SigTerm);
        var start = timeProvider.GetTimestamp();
        while (IsAlive(groupId) && timeProvider.GetElapsedTime(start) < grace)
        {
            await Task.Delay(PollInterval, timeProvider, cancellationToken).ConfigureAwait(false);
        }
        Signal(groupId, SigKill);
    }

    /// <summary>Sends <paramref name="signal"/> to the process group and to each member of the session.</summary>
    public static void Signal(int groupId, int signal)
    {
        _ = kill(-groupId, signal);
        if (ProcFs.Available)
        {
            foreach (var member in ProcFs.Members(groupId))
            {
                _ = kill(member.Pid, signal);
            }
        }
    }

    [LibraryImport("libc", SetLastError = true)]
    private static partial int kill(int pid, int signal);
}

/// <summary>What Linux's /proc tells about processes; elsewhere nothing (<see cref="Available"/> is false).</summary>
internal static class ProcFs
{
    public static bool Available { get; } = OperatingSystem.IsLinux() && File.Exists("/proc/self/stat");

    /// <summary>This boot's id: process ids and start times recorded under another boot mean nothing.</summary>
    public static string? BootId { get; } = ReadBootId();

    public readonly record struct ProcessStat(int Pid, char State, int ProcessGroup, int Session, long StartTime);

    /// <summary>The process's stat line, or null when there is no such process (or no /proc).</summary>
    public static ProcessStat? Stat(int pid)
    {
        if (!Available)
        {
            return null;
        }
        try
        {
            return Parse(pid, File.ReadAllText($"/proc/{pid}/stat"));
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or FormatException)
        {
            return null;
        }
    }

    /// <summary>Processes whose process group or session is <paramref name="groupId"/>.</summary>
    public static List<ProcessStat> Members(int groupId)
    {
        var members = new List<ProcessStat>();
        foreach (var directory in Directory.EnumerateDirectories("/proc"))
        {
            if (int.TryParse(Path.GetFileName(directory), NumberStyles.None, CultureInfo.InvariantCulture, out var pid)
                && Stat(pid) is { } stat && (stat.ProcessGroup == groupId || stat.Session == groupId))
            {
                members.Add(stat);
            }
        }
        return members;
    }

    private static ProcessStat Parse(int pid, string line)
    {
        // "pid (comm) state ppid pgrp session ... starttime": comm may hold spaces and parentheses, so split after the last ')'.
        var fields = line[(line.LastIndexOf(')') + 2)..].Split(' ');
        return new ProcessStat(pid, fields[0][0], int.Parse(fields[2], CultureInfo.InvariantCulture), int.Parse(fields[3], CultureInfo.InvariantCulture),
            long.Parse(fields[19], CultureInfo.InvariantCulture));
    }

    private static string? ReadBootId()
    {
        try
        {
            return Available ? File.ReadAllText("/proc/sys/kernel/random/boot_id").Trim() : null;
        }
        catch (IOException)
        {
            return null;
        }
    }
}
