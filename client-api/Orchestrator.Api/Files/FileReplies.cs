namespace Orchestrator.Api.Files;

/// <summary>
/// A file stored (201): its SHA-256, which names it, its size in bytes, and the namespace it was uploaded into (absent
/// for an agent's upload, which is in none).
/// </summary>
public sealed record FileStored(string Sha256, long Size, string? Namespace = null);
