using System.CommandLine;
using Orchestrator.Cli.App;
using Orchestrator.Cli.Config;
using Orchestrator.Cli.Output;
using Orchestrator.Client;
using Spectre.Console;

namespace Orchestrator.Cli.Commands;

/// <summary>
/// <c>orch token create|list|get|revoke</c> (admin). The text of a created token is printed once, to standard output
/// only; it is saved in the contexts file only with <c>--login</c>. Nothing else ever shows a secret.
/// </summary>
public static class TokenCommands
{
    public static Command Token()
    {
        var command = new Command("token", "API tokens: create (the text is shown once), list, get and revoke them (admin).");
        command.Aliases.Add("tokens");
        command.Subcommands.Add(Create());
        command.Subcommands.Add(List());
        command.Subcommands.Add(Get());
        command.Subcommands.Add(Revoke());
        return command;
    }

    /// <summary><c>--grant default=operator,approver</c> (repeatable) into roles per namespace; a usage error naming the bad one.</summary>
    public static Dictionary<string, IReadOnlyList<string>> ParseGrants(IEnumerable<string>? grants)
    {
        var result = new Dictionary<string, IReadOnlyList<string>>(StringComparer.Ordinal);
        foreach (var (space, roles) in Args.ParsePairs(grants, "--grant"))
        {
            var names = roles.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
            if (space.Length == 0 || names.Length == 0)
            {
                throw new CliException($"--grant '{space}={roles}' names no role; use NAMESPACE=ROLE[,ROLE], such as default=operator,approver.");
            }
            result[space] = names;
        }
        if (result.Count == 0)
        {
            throw new CliException("token create needs at least one --grant NAMESPACE=ROLE[,ROLE] (roles: viewer, operator, approver, admin, agent; namespace '*' for every one).");
        }
        return result;
    }

    private static Command Create()
    {
        var name = new Argument<string>("name") { Description = "The token's name: the principal its requests are made and audited as." };
        var grant = new Option<string[]>("--grant", "-g")
        {
            Description = "Roles on a namespace as NAMESPACE=ROLE[,ROLE] (repeat for more; '*' is every namespace). Roles: viewer, operator, approver, admin, agent (registers agents into the namespace).",
            Arity = ArgumentArity.OneOrMore,
            AllowMultipleArgumentsPerToken = false,
        };
        var expiresIn = new Option<string?>("--expires-in") { Description = "Expire after this long: 90m, 12h, 30d, 2w (default never)." };
        var expiresAt = new Option<string?>("--expires-at") { Description = "Expire at this ISO time (UTC unless an offset is given)." };
        var login = new Option<string?>("--login")
        {
            Description = "Also save the token as a context of this name (default the token's name) on the same server, so it can be used later; the current context stays.",
            Arity = ArgumentArity.ZeroOrOne,
        };
        var command = new Command("create", "Create an API token. Its text is printed once, to standard output, and cannot be read again; keep it now.")
        {
            name, grant, expiresIn, expiresAt, login,
        };
        return command.WithAction(async invocation =>
        {
            var grants = ParseGrants(invocation.Value(grant));
            var lifetime = invocation.Value(expiresIn) is { } i ? TimeArgs.Duration(i, "--expires-in") : (TimeSpan?)null;
            var at = invocation.Value(expiresAt) is { } a ? TimeArgs.PointInTime(a, "--expires-at", TimeProvider.System.GetUtcNow()) : (DateTimeOffset?)null;
            if (lifetime is not null && at is not null)
            {
                throw new CliException("Give --expires-in or --expires-at, not both.");
            }
            var saveAs = invocation.Parse.GetResult(login) is null ? null : invocation.Value(login) ?? invocation.Value(name);
            var connection = invocation.Connection;
            var created = await invocation.Client.CreateTokenAsync(new TokenRequest(invocation.Value(name), grants, at, lifetime), invocation.CancellationToken);
            // Said on standard error, so that TOKEN=$(orch token create ...) captures the token and only it.
            await invocation.Terminal.Stderr.WriteLineAsync($"Created token {created.Id} '{created.Name}' ({Grants(created.Grants)}; expires {Expiry(created.ExpiresAt)}). "
                + "This is the only time its text is shown.");
            if (invocation.Out.Format == OutputFormat.Table)
            {
                await invocation.Terminal.Stdout.WriteLineAsync(created.Token);
            }
            else
            {
                invocation.Out.Write(created, _ => { });
            }
            if (saveAs is not null)
            {
                var config = invocation.Config.Load();
                config.Upsert(new CliContext { Name = saveAs, Server = connection.Server.ToString().TrimEnd('/'), Token = created.Token });
                invocation.Config.Save(config);
                await invocation.Terminal.Stderr.WriteLineAsync($"Saved it as context '{saveAs}' in {invocation.Config.Path}; use it with --context {saveAs} or orch context use {saveAs}.");
            }
        });
    }

    private static Command List()
    {
        var state = new Option<string?>("--state") { Description = "Only active or only revoked tokens (default both)." };
        state.CompletionSources.Add("active", "revoked");
        return new Command("list", "API tokens: name, owner, roles per namespace, expiry, revocation. Never a secret.") { state }.WithAction(async invocation =>
        {
            TokenState? filter = invocation.Value(state) switch
            {
                null or "all" => null,
                "active" => TokenState.Active,
                "revoked" => TokenState.Revoked,
                var other => throw new CliException($"--state '{other}' is not active, revoked or all."),
            };
            var client = invocation.Client;
            var tokens = await client.AllAsync((page, ct) => client.ListTokensAsync(filter, page, ct), cancellationToken: invocation.CancellationToken)
                .ToListAsync(invocation.CancellationToken);
            invocation.Out.Write(tokens, console =>
            {
                var table = Renderer.NewTable("ID", "NAME", "OWNER", "GRANTS", "EXPIRES", "CREATED", "REVOKED");
                foreach (var token in tokens)
                {
                    table.AddRow(Renderer.Cell(token.Id), Renderer.Cell(token.Name), Renderer.Cell(token.Owner), Renderer.Cell(Grants(token.Grants)),
                        Renderer.Cell(token.ExpiresAt), Renderer.Cell(token.CreatedAt), Renderer.Cell(Revocation(token)));
                }
                console.Write(table);
            });
        });
    }

    private static Command Get()
    {
        var id = new Argument<string>("id") { Description = "The token's id (the ID column of token list)." };
        return new Command("get", "One API token, without its secret.") { id }.WithAction(async invocation =>
        {
            var token = await invocation.Client.GetTokenAsync(invocation.Value(id), invocation.CancellationToken);
            invocation.Out.Write(token, console => WriteToken(console, token));
        });
    }

    private static Command Revoke()
    {
        var id = new Argument<string>("id") { Description = "The token's id (the ID column of token list)." };
        return new Command("revoke", "Revoke an API token: refused from its next request on. It stays listed as revoked.") { id }.WithAction(async invocation =>
        {
            var token = await invocation.Client.RevokeTokenAsync(invocation.Value(id), invocation.CancellationToken);
            invocation.Out.Write(token, console => console.WriteLine($"token {token.Id} '{token.Name}' revoked ({Revocation(token)})"));
        });
    }

    private static void WriteToken(IAnsiConsole console, ApiToken token)
    {
        var grid = new Grid().AddColumn().AddColumn();
        grid.AddRow("ID", Renderer.Cell(token.Id));
        grid.AddRow("NAME", Renderer.Cell(token.Name));
        grid.AddRow("OWNER", Renderer.Cell(token.Owner));
        grid.AddRow("GRANTS", Renderer.Cell(Grants(token.Grants)));
        grid.AddRow("CREATED", Renderer.Cell(token.CreatedAt));
        grid.AddRow("EXPIRES", Renderer.Cell(Expiry(token.ExpiresAt)));
        grid.AddRow("REVOKED", Renderer.Cell(Revocation(token) ?? "no"));
        console.Write(grid);
    }

    /// <summary><c>default=operator,approver *=viewer</c>.</summary>
    internal static string Grants(IReadOnlyDictionary<string, IReadOnlyList<string>> grants) =>
        string.Join(" ", grants.OrderBy(g => g.Key, StringComparer.Ordinal).Select(g => $"{g.Key}={string.Join(',', g.Value)}"));

    private static string Expiry(DateTimeOffset? at) => at is { } t ? Renderer.Cell(t) : "never";

    private static string? Revocation(ApiToken token) =>
        token.RevokedAt is { } at ? $"{at.ToUniversalTime().ToString("yyyy-MM-dd HH:mm:ss'Z'", System.Globalization.CultureInfo.InvariantCulture)} by {token.RevokedBy}" : null;
}
