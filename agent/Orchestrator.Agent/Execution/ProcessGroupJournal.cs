using System.Text.Json;
using Microsoft.Extensions.Logging;

namespace Orchestrator.Agent.Execution;

/// <summary>
/// A running script's process group as recorded in the state directory. The leader's start time (clock ticks since
/// boot) and the boot id tell a reused pid apart; the agent's pid and start time tell whether the agent that started
/// it still lives (then the group is not an orphan).
/// </summary>
internal sealed record ProcessGroupRecord(string AssignmentId, int ProcessGroupId, long? StartTime, string? BootId, int AgentPid, long? AgentStartTime);

/// <summary>
/// One small file per running script in the state directory (<c>pg-&lt;pgid&gt;.json</c>), written when the script
/// starts and deleted when it ends. An agent that died leaves its files behind; the next agent on the state
/// directory kills those process groups before it takes work (<see cref="KillOrphansAsync"/>), so a crashed agent
/// does not leave scripts running that nobody will report.
/// </summary>
internal sealed partial class ProcessGroupJournal(string directory, TimeProvider timeProvider, ILogger logger)
{
    private static readonly long? OwnStartTime = ProcFs.Stat(Environment.ProcessId)?.StartTime;

    public string Directory { get; } = directory;

    /// <summary>Records a started group; disposing the result deletes the record.</summary>
    public IDisposable Record(string assignmentId, int groupId)
    {
        var record = new ProcessGroupRecord(assignmentId, groupId, ProcFs.Stat(groupId)?.StartTime, ProcFs.BootId, Environment.ProcessId, OwnStartTime);
        Write(record);
        return new Deleter(PathOf(groupId));
    }

    public void Write(ProcessGroupRecord record)
    {
        ArgumentNullException.ThrowIfNull(record);
        System.IO.Directory.CreateDirectory(Directory);
        var path = PathOf(record.ProcessGroupId);
        var temporary = path + ".tmp";
        File.WriteAllText(temporary, JsonSerializer.Serialize(record));
        File.Move(temporary, path, overwrite: true);
    }

    /// <summary>Kills the groups recorded by agents that are gone; returns how many were killed.</summary>
    public async Task<int> KillOrphansAsync(TimeSpan grace, CancellationToken cancellationToken)
    {
        if (!System.IO.Directory.Exists(Directory))
        {
            return 0;
        }
        var kills = new List<Task>();
        foreach (var path in System.IO.Directory.EnumerateFiles(Directory, "pg-*.json"))
        {
            var record = Read(path);
            if (record is null || IsStale(record))
            {
                File.Delete(path);
                continue;
            }
            if (OwnerIsAlive(record))
            {
                continue;
            }
            Log.KillingOrphan(logger, record.ProcessGroupId, record.AssignmentId);
            kills.Add(KillAsync(record, path, grace, cancellationToken));
        }
        await Task.WhenAll(kills).ConfigureAwait(false);
        return kills.Count;
    }

    private async Task KillAsync(ProcessGroupRecord record, string path, TimeSpan grace, CancellationToken cancellationToken)
    {
        await ProcessGroups.KillTreeAsync(record.ProcessGroupId, grace, timeProvider, cancellationToken).ConfigureAwait(false);
        File.Delete(path);
    }

    /// <summary>Recorded under another boot, or the group's id now belongs to an unrelated process.</summary>
    private static bool IsStale(ProcessGroupRecord record)
    {
        if (record.BootId is not null && ProcFs.BootId is not null && record.BootId != ProcFs.BootId)
        {
            return true;
        }
        // While any process of a group or session lives, the kernel does not hand its id out as a new pid; so a
        // leader with another start time means the group is gone and the id reused. A missing leader is fine: its
        // children may still be there.
        var leader = ProcFs.Stat(record.ProcessGroupId);
        if (leader is { } stat && record.StartTime is long started && stat.StartTime != started)
        {
            return true;
        }
        return ProcFs.Available && !ProcessGroups.IsAlive(record.ProcessGroupId);
    }

    private static bool OwnerIsAlive(ProcessGroupRecord record) =>
        record.AgentPid == Environment.ProcessId && record.AgentStartTime == OwnStartTime
        || (ProcFs.Stat(record.AgentPid) is { } owner && owner.StartTime == record.AgentStartTime);

    private ProcessGroupRecord? Read(string path)
    {
        try
        {
            return JsonSerializer.Deserialize<ProcessGroupRecord>(File.ReadAllText(path));
        }
        catch (Exception ex) when (ex is JsonException or IOException)
        {
            Log.UnreadableRecord(logger, path, ex);
            return null;
        }
    }

    private string PathOf(int groupId) => Path.Combine(Directory, $"pg-{groupId}.json");

    private sealed class Deleter(string path) : IDisposable
    {
        public void Dispose()
        {
            try
            {
                File.Delete(path);
            }
            catch (IOException)
            {
                // A record left behind is checked against the live process at the next start; nothing is lost.
            }
        }
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 3101, Level = LogLevel.Warning, Message = "Killing process group {ProcessGroupId} of assignment {AssignmentId}, left running by an agent that is gone")]
        public static partial void KillingOrphan(ILogger logger, int processGroupId, string assignmentId);

        [LoggerMessage(EventId = 3102, Level = LogLevel.Warning, Message = "Ignoring the unreadable process-group record {Path}")]
        public static partial void UnreadableRecord(ILogger logger, string path, Exception exception);
    }
}
