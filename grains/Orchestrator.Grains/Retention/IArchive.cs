namespace Orchestrator.Grains.Retention;

/// <summary>
/// Where a retention pass writes what it archives: gzip-compressed JSON lines under deterministic names
/// (<c>instances/2026-11-04.000012-0003.jsonl.gz</c>). Both kinds keep one rule the pass's crash safety rests on:
/// once <see cref="WriteAsync"/> returns, the whole file is stored under its name, and writing a name again replaces it
/// (a part rewritten after a crash is never in the archive twice).
/// </summary>
internal interface IArchive
{
    /// <summary>Writes <paramref name="name"/> (relative) with the lines <paramref name="fill"/> emits; returns how many.</summary>
    Task<long> WriteAsync(string name, Func<ArchiveLines, Task> fill, CancellationToken cancellationToken);

    /// <summary>
    /// Rewrites <paramref name="name"/> without the lines whose <c>instance</c> is one of <paramref name="ids"/> (records
    /// archived but then not deleted, because they changed meanwhile); returns the lines kept (0 when it is absent).
    /// </summary>
    Task<long> RemoveInstancesAsync(string name, IReadOnlySet<string> ids, CancellationToken cancellationToken);
}
