namespace Orchestrator.Api.Files;

/// <summary>A file stored (201): its SHA-256, which names it, and its size in bytes.</summary>
public sealed record FileStored(string Sha256, long Size);
