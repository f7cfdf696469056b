namespace Orchestrator.Cli.Config;

/// <summary>
/// The contents of <c>config.yaml</c>: named contexts (a server and its token) and which one is current, as
/// <c>kubectl</c>'s kubeconfig keeps clusters.
/// </summary>
public sealed class CliConfig
{
    /// <summary>The context used when none is named (<c>--context</c>, <c>ORCH_CONTEXT</c>).</summary>
    public string? Current { get; set; }

    public List<CliContext> Contexts { get; set; } = [];

    /// <summary>The context called <paramref name="name"/>, or null.</summary>
    public CliContext? Find(string name) => Contexts.FirstOrDefault(c => string.Equals(c.Name, name, StringComparison.Ordinal));

    /// <summary>Adds or replaces the context of that name.</summary>
    public void Upsert(CliContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        Contexts.RemoveAll(c => string.Equals(c.Name, context.Name, StringComparison.Ordinal));
        Contexts.Add(context);
        Contexts.Sort((a, b) => string.CompareOrdinal(a.Name, b.Name));
    }
}

/// <summary>One context: a name, the API's address, and the token sent as <c>Authorization: Bearer</c> (none if null).</summary>
public sealed class CliContext
{
    public string Name { get; set; } = "";

    public string Server { get; set; } = "";

    public string? Token { get; set; }
}
