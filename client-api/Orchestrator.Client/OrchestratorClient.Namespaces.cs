namespace Orchestrator.Client;

public sealed partial class OrchestratorClient
{
    /// <summary>The namespaces the caller may read, each with the roles it holds there (<c>GET /namespaces</c>).</summary>
    public async Task<IReadOnlyList<NamespaceInfo>> ListNamespacesAsync(CancellationToken cancellationToken = default) =>
        (await GetAsync<NamespaceList>("namespaces", cancellationToken).ConfigureAwait(false)).Items;

    private sealed record NamespaceList(IReadOnlyList<NamespaceInfo> Items);
}

/// <summary>A namespace the caller may read, and the roles it holds there (with those they imply).</summary>
public sealed record NamespaceInfo(string Name, IReadOnlyList<string> Roles);
