namespace Orchestrator.Client;

/// <summary>
/// One page of a keyset-paged list: pass <see cref="Next"/> back as <c>after</c> for the following page; null on the
/// last page. A page filtered by the server (hosts by selector) may hold fewer items than asked and still have a next.
/// </summary>
public sealed record Page<T>(IReadOnlyList<T> Items, string? Next);

/// <summary>Paging of a list call: <c>after</c> (the previous page's <c>next</c>) and <c>limit</c> (1 to 1,000; the server's default 100).</summary>
public sealed record PageRequest(string? After = null, int? Limit = null);
