using System.IO.Compression;
using System.Security.Cryptography;

namespace Orchestrator.Grains.Retention;

/// <summary>
/// The archive in an S3-compatible bucket. A file is written whole to a local temporary file (gzip JSON lines), hashed,
/// then stored with one PutObject under its key — S3 makes an object visible only once it is whole, and a second
/// put of the same key replaces it — so <see cref="IArchive"/>'s rule holds as on a directory: after
/// <see cref="WriteAsync"/> returns the object is stored whole, and a part rewritten after a crash replaces its object.
/// </summary>
internal sealed class ArchiveBucket(BucketClient client, string temporaryDirectory) : IArchive
{
    /// <inheritdoc/>
    public async Task<long> WriteAsync(string name, Func<ArchiveLines, Task> fill, CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(temporaryDirectory);
        var temporary = Path.Combine(temporaryDirectory, $"orch-archive-{Guid.NewGuid():N}.jsonl.gz");
        try
        {
            long lines;
            await using (var file = new FileStream(temporary, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16, FileOptions.Asynchronous))
            await using (var zip = new GZipStream(file, CompressionLevel.Optimal, leaveOpen: true))
            {
                var writer = new ArchiveLines(zip, cancellationToken);
                await fill(writer);
                lines = writer.Count;
            }
            await using (var file = new FileStream(temporary, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.Asynchronous))
            {
                var sha256 = SigV4.Hex(await SHA256.HashDataAsync(file, cancellationToken));
                file.Position = 0;
                await client.PutAsync(name, file, file.Length, sha256, "application/gzip", cancellationToken);
            }
            return lines;
        }
        finally
        {
            File.Delete(temporary);
        }
    }

    /// <inheritdoc/>
    public async Task<long> RemoveInstancesAsync(string name, IReadOnlySet<string> ids, CancellationToken cancellationToken)
    {
        List<string> kept = [];
        if (!await client.ReadAsync(name, async stored => kept = await ArchiveLines.KeptAsync(stored, ids, cancellationToken), cancellationToken))
        {
            return 0;
        }
        return await WriteAsync(name, lines => lines.WriteRawAsync(kept), cancellationToken);
    }
}
