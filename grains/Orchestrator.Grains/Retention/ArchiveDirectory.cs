using System.IO.Compression;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Orchestrator.Grains.Retention;

/// <summary>
/// The archive on a directory: gzip-compressed JSON lines. A file is written whole to a temporary name beside its
/// own, flushed and fsynced, renamed over its name, and the directory fsynced, so that once <see cref="WriteAsync"/>
/// returns the file is on disk under its final name and a crash before leaves at most a temporary file (removed by
/// the next write of that name). Writing a name again replaces the file: the retention pass rewrites a part from
/// the same records after a crash, so no record is ever in two files.
/// </summary>
internal sealed class ArchiveDirectory(string root) : IArchive
{
    /// <summary>How archive lines are written: camelCase, enums as strings.</summary>
    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.CamelCase) },
    };

    public string Root { get; } = Path.GetFullPath(root);

    /// <inheritdoc/>
    public async Task<long> WriteAsync(string name, Func<ArchiveLines, Task> fill, CancellationToken cancellationToken)
    {
        var path = PathOf(name);
        var directory = Path.GetDirectoryName(path)!;
        Directory.CreateDirectory(directory);
        foreach (var stale in Directory.EnumerateFiles(directory, Path.GetFileName(path) + ".*.tmp"))
        {
            File.Delete(stale); // a write a crash interrupted
        }
        var temporary = $"{path}.{Guid.NewGuid():N}.tmp";
        long lines;
        try
        {
            await using (var file = new FileStream(temporary, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16, FileOptions.Asynchronous))
            {
                await using (var zip = new GZipStream(file, CompressionLevel.Optimal, leaveOpen: true))
                {
                    var writer = new ArchiveLines(zip, cancellationToken);
                    await fill(writer);
                    lines = writer.Count;
                }
                await file.FlushAsync(cancellationToken);
                file.Flush(flushToDisk: true);
            }
            File.Move(temporary, path, overwrite: true);
        }
        catch
        {
            File.Delete(temporary);
            throw;
        }
        SyncDirectory(directory);
        return lines;
    }

    /// <inheritdoc/>
    public async Task<long> RemoveInstancesAsync(string name, IReadOnlySet<string> ids, CancellationToken cancellationToken)
    {
        var path = PathOf(name);
        if (!File.Exists(path))
        {
            return 0;
        }
        List<string> kept;
        await using (var file = File.OpenRead(path))
        {
            kept = await ArchiveLines.KeptAsync(file, ids, cancellationToken);
        }
        return await WriteAsync(name, lines => lines.WriteRawAsync(kept), cancellationToken);
    }

    private string PathOf(string name)
    {
        var path = Path.GetFullPath(Path.Combine(Root, name));
        if (!path.StartsWith(Root + Path.DirectorySeparatorChar, StringComparison.Ordinal))
        {
            throw new ArgumentException($"Archive name '{name}' is outside the archive.", nameof(name));
        }
        return path;
    }

    /// <summary>Makes a rename in <paramref name="directory"/> durable (fsync of the directory; .NET opens no directory handle itself).</summary>
    private static void SyncDirectory(string directory)
    {
        if (OperatingSystem.IsWindows())
        {
            return; // NTFS journals the rename; there is no directory fsync to call
        }
        var fd = Open(Encoding.UTF8.GetBytes(directory + "\0"), 0 /* O_RDONLY */);
        if (fd < 0)
        {
            throw new IOException($"Cannot open archive directory '{directory}' to sync it (errno {Marshal.GetLastPInvokeError()}).");
        }
        try
        {
            if (Fsync(fd) != 0)
            {
                throw new IOException($"Cannot sync archive directory '{directory}' (errno {Marshal.GetLastPInvokeError()}).");
            }
        }
        finally
        {
            _ = Close(fd);
        }
    }

    // DllImport over blittable arguments (a byte array, ints): no generated marshalling, so no unsafe code in this project.
    [DllImport("libc", EntryPoint = "open", SetLastError = true)]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    private static extern int Open(byte[] path, int flags);

    [DllImport("libc", EntryPoint = "fsync", SetLastError = true)]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    private static extern int Fsync(int fd);

    [DllImport("libc", EntryPoint = "close", SetLastError = true)]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    private static extern int Close(int fd);
}

/// <summary>Lines of one archive file being written (to its gzip stream), and the reading an archive rewrite needs.</summary>
internal sealed class ArchiveLines(Stream stream, CancellationToken cancellationToken)
{
    private static readonly byte[] NewLine = "\n"u8.ToArray();

    public long Count { get; private set; }

    public async Task WriteAsync<T>(T record)
    {
        await JsonSerializer.SerializeAsync(stream, record, ArchiveDirectory.Json, cancellationToken);
        await stream.WriteAsync(NewLine, cancellationToken);
        Count++;
    }

    public async Task WriteRawAsync(IEnumerable<string> lines)
    {
        foreach (var line in lines)
        {
            await stream.WriteAsync(Encoding.UTF8.GetBytes(line + "\n"), cancellationToken);
            Count++;
        }
    }

    /// <summary>The lines of a gzip archive file whose <c>instance</c> is not one of <paramref name="ids"/>.</summary>
    public static async Task<List<string>> KeptAsync(Stream compressed, IReadOnlySet<string> ids, CancellationToken cancellationToken)
    {
        var kept = new List<string>();
        await using var zip = new GZipStream(compressed, CompressionMode.Decompress);
        using var reader = new StreamReader(zip, Encoding.UTF8);
        while (await reader.ReadLineAsync(cancellationToken) is { } line)
        {
            using var doc = JsonDocument.Parse(line);
            if (!(doc.RootElement.TryGetProperty("instance", out var id) && ids.Contains(id.GetString() ?? "")))
            {
                kept.Add(line);
            }
        }
        return kept;
    }
}
