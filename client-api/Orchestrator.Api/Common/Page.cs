namespace Orchestrator.Api.Common;

/// <summary>
/// One page of a keyset-paged list: <c>items</c>, and <c>next</c>, the cursor to pass back as <c>after</c> for the
/// following page (absent on the last page).
/// </summary>
public sealed record Page<T>(IReadOnlyList<T> Items, string? Next);
