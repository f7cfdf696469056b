using System.Security.Cryptography;

namespace Orchestrator.Runtime.Blobs;

/// <summary>Reads a blob's content, bounded by the size cap, and names it by its SHA-256; shared by both stores.</summary>
internal static class BlobContent
{
    public static async Task<(byte[] Data, string Sha256)> ReadAsync(Stream content, int maxBytes, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(content);
        using var buffer = new MemoryStream();
        var chunk = new byte[81920];
        int read;
        while ((read = await content.ReadAsync(chunk, cancellationToken).ConfigureAwait(false)) > 0)
        {
            // Checked while reading, so that an endless stream costs at most the cap.
            if (buffer.Length + read > maxBytes)
            {
                throw new BlobTooLargeException(maxBytes);
            }
            buffer.Write(chunk, 0, read);
        }
        var data = buffer.ToArray();
        return (data, Convert.ToHexStringLower(SHA256.HashData(data)));
    }

    /// <summary>True for 64 lowercase hex digits: anything else cannot name a blob.</summary>
    public static bool IsSha256(string? sha256) =>
        sha256 is { Length: 64 } && sha256.All(c => c is >= '0' and <= '9' or >= 'a' and <= 'f');
}
