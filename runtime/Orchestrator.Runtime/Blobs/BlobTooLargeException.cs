namespace Orchestrator.Runtime.Blobs;

/// <summary>
/// A blob's content is larger than <see cref="Persistence.OrchestratorDatabaseOptions.MaxBlobBytes"/>; nothing was
/// stored.
/// </summary>
public sealed class BlobTooLargeException(long maxBytes)
    : Exception($"The blob is larger than MaxBlobBytes ({maxBytes} bytes); nothing was stored.")
{
    /// <summary>The cap the content exceeded.</summary>
    public long MaxBytes { get; } = maxBytes;
}
