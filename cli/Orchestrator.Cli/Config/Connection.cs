using Orchestrator.Cli.App;

namespace Orchestrator.Cli.Config;

/// <summary>
/// Where a command talks to and with which token, and where each came from (for messages); <see cref="Namespace"/>: the
/// namespace to create in and list (null: none chosen).
/// </summary>
public sealed record Connection(Uri Server, string? Token, string? ContextName, string ServerSource)
{
    public string? Namespace { get; init; }
}

/// <summary>
/// Decides the server and token of a command: <c>--server</c> / <c>--token</c> first, then <c>ORCH_SERVER</c> /
/// <c>ORCH_TOKEN</c>, then the context named by <c>--context</c> (or <c>ORCH_CONTEXT</c>), else the current one. Each of
/// server and token is taken separately, so <c>ORCH_TOKEN</c> can stand in for a context's token. The namespace:
/// <c>-n</c>, then <c>ORCH_NAMESPACE</c>, then the context's.
/// </summary>
public static class ConnectionResolver
{
    public static Connection Resolve(CliConfig config, string? serverFlag, string? tokenFlag, string? contextFlag, IReadOnlyDictionary<string, string?> environment,
        string? namespaceFlag = null)
    {
        ArgumentNullException.ThrowIfNull(config);
        ArgumentNullException.ThrowIfNull(environment);
        var contextName = Blank(contextFlag) ?? Blank(environment.GetValueOrDefault("ORCH_CONTEXT"));
        CliContext? context = null;
        if (contextName is not null)
        {
            context = config.Find(contextName)
                ?? throw new CliException($"No context '{contextName}' in the configuration; known: {Known(config)}. Add it with orch login --context {contextName} --server URL --token TOKEN.");
        }
        else if (Blank(config.Current) is { } current)
        {
            context = config.Find(current);
        }

        var (server, source) = Blank(serverFlag) is { } s ? (s, "--server")
            : Blank(environment.GetValueOrDefault("ORCH_SERVER")) is { } e ? (e, "ORCH_SERVER")
            : context is not null ? (context.Server, $"context '{context.Name}'")
            : (null, "");
        if (server is null)
        {
            throw new CliException("No server to talk to: run orch login --server URL --token TOKEN, or pass --server URL, or set ORCH_SERVER.");
        }
        var token = Blank(tokenFlag) ?? Blank(environment.GetValueOrDefault("ORCH_TOKEN")) ?? context?.Token;
        var ns = Blank(namespaceFlag) ?? Blank(environment.GetValueOrDefault("ORCH_NAMESPACE")) ?? Blank(context?.Namespace);
        if (ns is not null && NamespaceNames.Check(ns) is { } badNamespace)
        {
            throw new CliException($"The namespace {badNamespace}");
        }
        return new Connection(ParseServer(server, source), token, context?.Name, source) { Namespace = ns };
    }

    /// <summary>An absolute http(s) address, or a message naming where the bad one came from.</summary>
    public static Uri ParseServer(string server, string source)
    {
        if (!Uri.TryCreate(server, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https"))
        {
            throw new CliException($"The server '{server}' (from {source}) is not an http or https address such as http://127.0.0.1:5080.");
        }
        return uri;
    }

    /// <summary>The process's ORCH_* variables.</summary>
    public static IReadOnlyDictionary<string, string?> ProcessEnvironment() =>
        new[] { "ORCH_SERVER", "ORCH_TOKEN", "ORCH_CONTEXT", "ORCH_NAMESPACE" }.ToDictionary(n => n, Environment.GetEnvironmentVariable, StringComparer.Ordinal);

    private static string Known(CliConfig config) => config.Contexts.Count == 0 ? "none" : string.Join(", ", config.Contexts.Select(c => c.Name));

    private static string? Blank(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();
}
