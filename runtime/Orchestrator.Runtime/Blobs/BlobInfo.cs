namespace Orchestrator.Runtime.Blobs;

/// <summary>A stored file, named by the SHA-256 of its content (lowercase hex).</summary>
public sealed record BlobInfo(string Sha256, long Size, DateTimeOffset CreatedAt);

/// <summary>Content-addressed file storage in the runtime's database, for files that plans distribute.</summary>
public interface IBlobStore
{
    /// <summary>Stores the content once (a second put of equal content is a no-op); fails past the size cap.</summary>
    Task<BlobInfo> PutAsync(Stream content, CancellationToken cancellationToken = default);

    Task<BlobInfo?> GetInfoAsync(string sha256, CancellationToken cancellationToken = default);

    /// <summary>The content, or null if no such blob.</summary>
    Task<Stream?> OpenReadAsync(string sha256, CancellationToken cancellationToken = default);
}
