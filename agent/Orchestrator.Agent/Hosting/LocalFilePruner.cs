using Microsoft.Extensions.Logging;

namespace Orchestrator.Agent.Hosting;

/// <summary>
/// Keeps the agent's own folders from growing: at start and then every <see cref="Period"/> (on the agent's clock)
/// deletes the files under the work and state directories last written longer ago than
/// <see cref="AgentOptions.LocalRetention"/>, then the folders that were as old and are left empty. What the agent writes there
/// itself is short-lived (a script's file is deleted when it ends, a process group's record when it is reaped), so what
/// this finds is what a crash left and what scripts wrote into their default working directory. The process-group
/// records (<c>pg-*.json</c>) are never touched: the journal needs them to kill what a crashed agent left running.
/// Symbolic links are neither followed nor deleted.
/// </summary>
internal sealed partial class LocalFilePruner(AgentOptions options, TimeProvider timeProvider, ILogger logger)
{
    /// <summary>Time between prunes.</summary>
    public static readonly TimeSpan Period = TimeSpan.FromDays(1);

    /// <summary>Prunes once now, then every <see cref="Period"/> until cancelled; never throws.</summary>
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        try
        {
            while (!cancellationToken.IsCancellationRequested)
            {
                Prune();
                await Task.Delay(Period, timeProvider, cancellationToken).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
    }

    /// <summary>Deletes what is older than the retention; returns the files deleted (0 when retention is off).</summary>
    public int Prune()
    {
        if (options.LocalRetention <= TimeSpan.Zero)
        {
            return 0;
        }
        var before = (timeProvider.GetUtcNow() - options.LocalRetention).UtcDateTime;
        var deleted = 0;
        foreach (var root in new[] { options.WorkDirectory, options.EffectiveStateDirectory }.Distinct(StringComparer.Ordinal))
        {
            if (Directory.Exists(root))
            {
                deleted += PruneFolder(new DirectoryInfo(root), before, isRoot: true);
            }
        }
        if (deleted > 0)
        {
            Log.Pruned(logger, deleted, options.LocalRetention);
        }
        return deleted;
    }

    private int PruneFolder(DirectoryInfo folder, DateTime before, bool isRoot)
    {
        var deleted = 0;
        var wasOld = folder.LastWriteTimeUtc < before; // read first: deleting its files makes it look young
        IEnumerable<FileSystemInfo> entries;
        try
        {
            entries = [.. folder.EnumerateFileSystemInfos()];
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            Log.PruneFailed(logger, folder.FullName, ex.Message);
            return 0;
        }
        foreach (var entry in entries)
        {
            if (entry.LinkTarget is not null)
            {
                continue;
            }
            try
            {
                if (entry is DirectoryInfo child)
                {
                    deleted += PruneFolder(child, before, isRoot: false);
                }
                else if (entry.LastWriteTimeUtc < before && !IsJournalRecord(entry))
                {
                    entry.Delete();
                    deleted++;
                }
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                Log.PruneFailed(logger, entry.FullName, ex.Message);
            }
        }
        if (!isRoot && !IsStateDirectory(folder))
        {
            if (wasOld && !folder.EnumerateFileSystemInfos().Any())
            {
                folder.Delete();
            }
        }
        return deleted;
    }

    private bool IsJournalRecord(FileSystemInfo file) =>
        file.Name.StartsWith("pg-", StringComparison.Ordinal) && file.Name.EndsWith(".json", StringComparison.Ordinal)
        && string.Equals(Path.GetFullPath(Path.GetDirectoryName(file.FullName)!), Path.GetFullPath(options.EffectiveStateDirectory), StringComparison.Ordinal);

    private bool IsStateDirectory(DirectoryInfo folder) =>
        string.Equals(Path.GetFullPath(folder.FullName).TrimEnd(Path.DirectorySeparatorChar), Path.GetFullPath(options.EffectiveStateDirectory).TrimEnd(Path.DirectorySeparatorChar), StringComparison.Ordinal);

    private static partial class Log
    {
        [LoggerMessage(EventId = 1301, Level = LogLevel.Information, Message = "Deleted {Count} local file(s) older than {Retention} from the work and state directories")]
        public static partial void Pruned(ILogger logger, int count, TimeSpan retention);

        [LoggerMessage(EventId = 1302, Level = LogLevel.Warning, Message = "Could not prune {Path}: {Reason}")]
        public static partial void PruneFailed(ILogger logger, string path, string reason);
    }
}
