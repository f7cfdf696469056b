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

    /// <summary>The namespace commands use when <c>-n</c> and <c>ORCH_NAMESPACE</c> give none (as kubectl's context namespace); null: none.</summary>
    public string? Namespace { get; set; }
}

/// <summary>The server's rule for namespace names, checked before a request is made (pure).</summary>
public static class NamespaceNames
{
    /// <summary>Why <paramref name="name"/> is not a namespace name, or null when it is one.</summary>
    public static string? Check(string name) =>
        name is { Length: > 0 and <= 63 } && name.All(c => c is (>= 'a' and <= 'z') or (>= '0' and <= '9') or '-') && name[0] != '-' && name[^1] != '-'
            ? null
            : $"'{name}' is not a namespace: 1-63 lower-case letters, digits and '-', not starting or ending with '-'.";
}
