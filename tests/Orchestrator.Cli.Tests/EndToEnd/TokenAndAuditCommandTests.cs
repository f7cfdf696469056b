using System.Text.Json;
using Orchestrator.Cli.Tests.Infrastructure;

namespace Orchestrator.Cli.Tests.EndToEnd;

/// <summary><c>orch token</c>, <c>orch audit</c> and <c>orch host revoke|restore</c> as a real process against the silo, as its admin.</summary>
[Collection(CliSiloCollection.Name)]
public sealed class TokenAndAuditCommandTests(CliSiloFixture silo) : CliTestBase(silo)
{
    /// <summary>orch with its own contexts file, calling the silo with <paramref name="token"/> only (ORCH_SERVER and ORCH_TOKEN).</summary>
    private OrchProcess As(string token)
    {
        var orch = new OrchProcess(Path.Combine(Silo.Folder, "config-" + Guid.NewGuid().ToString("N")[..8]));
        orch.Environment["ORCH_SERVER"] = Silo.Server;
        orch.Environment["ORCH_TOKEN"] = token;
        return orch;
    }

    [Fact]
    public async Task TokenCreate_Viewer_TextOnStdoutOnceNeverSavedOrListedAndRevokedIsRefused()
    {
        var name = NewId("viewer-");

        var create = await Orch.RunAsync("token", "create", name, "--grant", "default=viewer", "--expires-in", "1h");

        Assert.True(create.ExitCode == 0, create.ToString());
        var token = create.Stdout.Trim();
        Assert.Matches("^orch_[a-z0-9]{12}_[A-Za-z0-9_-]+$", token); // the token text and nothing else: TOKEN=$(orch token create ...)
        Assert.Contains("only time its text is shown", create.Stderr);
        Assert.DoesNotContain(token, create.Stderr);
        Assert.DoesNotContain(token, await File.ReadAllTextAsync(Orch.ConfigFile));
        var id = System.Text.RegularExpressions.Regex.Match(create.Stderr, @"Created token (\S+) ").Groups[1].Value;

        var viewer = As(token);
        Assert.Equal(0, (await viewer.RunAsync("plan", "list")).ExitCode);
        var run = await viewer.RunAsync("run", "anything");
        Assert.Equal(3, run.ExitCode);
        Assert.Contains("403", run.Stderr);
        Assert.Contains("roles or namespaces do not allow this", run.Stderr);

        var list = await Orch.RunAsync("token", "list", "-o", "json");
        var table = await Orch.RunAsync("token", "list", "--state", "active");
        var get = await Orch.RunAsync("token", "get", id, "-o", "yaml");
        Assert.True(list.ExitCode == 0, list.ToString());
        var listed = JsonDocument.Parse(list.Stdout).RootElement.EnumerateArray().Single(t => t.GetProperty("id").GetString() == id);
        Assert.Equal(name, listed.GetProperty("name").GetString());
        Assert.Equal("viewer", listed.GetProperty("grants").GetProperty("default")[0].GetString());
        Assert.True(listed.TryGetProperty("expiresAt", out _));
        Assert.Matches($@"{id}\s+{name}\s+admin\s+default=viewer", table.Stdout);
        Assert.Contains($"name: {name}", get.Stdout);
        foreach (var output in new[] { list, table, get })
        {
            Assert.DoesNotContain(token, output.Stdout + output.Stderr);
        }

        var revoke = await Orch.RunAsync("token", "revoke", id);
        Assert.True(revoke.ExitCode == 0, revoke.ToString());
        Assert.Contains($"token {id} '{name}' revoked", revoke.Stdout);

        var refused = await viewer.RunAsync("plan", "list");
        Assert.Equal(3, refused.ExitCode);
        Assert.Contains("401", refused.Stderr);
        Assert.Contains("did not accept the token", refused.Stderr);
        Assert.DoesNotContain(token, refused.Stderr);
        var revokedList = await Orch.RunAsync("token", "list", "--state", "revoked", "-o", "json");
        Assert.Contains(JsonDocument.Parse(revokedList.Stdout).RootElement.EnumerateArray(), t => t.GetProperty("id").GetString() == id && t.GetProperty("revokedBy").GetString() == "admin");
    }

    [Fact]
    public async Task TokenCreate_Login_SavedAsContextCurrentStaysAndItWorks()
    {
        var orch = new OrchProcess(Path.Combine(Silo.Folder, "config-" + Guid.NewGuid().ToString("N")[..8]));
        Assert.Equal(0, (await orch.RunAsync("login", "--server", Silo.Server, "--token", Silo.Token!)).ExitCode);

        var create = await orch.RunAsync("token", "create", NewId("ci-"), "--grant", "default=operator", "--login", "ci");

        Assert.True(create.ExitCode == 0, create.ToString());
        Assert.Contains("Saved it as context 'ci'", create.Stderr);
        Assert.Contains(create.Stdout.Trim(), await File.ReadAllTextAsync(orch.ConfigFile));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(orch.ConfigFile));
        var contexts = JsonDocument.Parse((await orch.RunAsync("context", "list", "-o", "json")).Stdout).RootElement.EnumerateArray()
            .ToDictionary(c => c.GetProperty("name").GetString()!, c => c.GetProperty("current").GetBoolean());
        Assert.Equal(new Dictionary<string, bool> { ["ci"] = false, ["default"] = true }, contexts);
        Assert.Equal(0, (await orch.RunAsync("plan", "list", "--context", "ci")).ExitCode);
        Assert.Equal(3, (await orch.RunAsync("token", "list", "--context", "ci")).ExitCode); // an operator may not list tokens
    }

    [Fact]
    public async Task TokenCreate_JsonOutput_OneObjectWithTheToken()
    {
        var create = await Orch.RunAsync("token", "create", NewId("json-"), "-g", "default=viewer", "-g", "*=approver", "-o", "json");

        Assert.True(create.ExitCode == 0, create.ToString());
        var created = JsonDocument.Parse(create.Stdout).RootElement;
        Assert.StartsWith("orch_", created.GetProperty("token").GetString(), StringComparison.Ordinal);
        Assert.Equal("approver", created.GetProperty("grants").GetProperty("*")[0].GetString());
        Assert.False(created.TryGetProperty("expiresAt", out _)); // no expiry given: it never expires
    }

    [Theory]
    [InlineData("token create nogrant", "needs at least one --grant")]
    [InlineData("token create both --grant default=viewer --expires-in 1h --expires-at 2030-01-01", "--expires-in or --expires-at, not both")]
    [InlineData("token create badtime --grant default=viewer --expires-in soon", "--expires-in 'soon' is not a duration")]
    [InlineData("audit --since yesterday", "--since 'yesterday' is neither a duration")]
    [InlineData("audit --since 1h --until 2h", "--until")]
    public async Task BadFlag_NamedExitTwo(string line, string message)
    {
        var result = await Orch.RunAsync(line.Split(' '));

        Assert.Equal(2, result.ExitCode);
        Assert.Contains(message, result.Stderr);
        Assert.DoesNotContain("   at ", result.Stderr);
    }

    [Fact]
    public async Task TokenCreate_UnknownRole_RefusedNamingTheFieldExitThree()
    {
        var result = await Orch.RunAsync("token", "create", NewId("bad-"), "--grant", "default=superuser");

        Assert.Equal(3, result.ExitCode);
        Assert.Contains("400", result.Stderr);
        Assert.Contains("grants.default", result.Stderr);
    }

    [Fact]
    public async Task Audit_AfterTokenAndHostChanges_FiltersByActionObjectAndTimeAndPages()
    {
        var name = NewId("audited-");
        var create = await Orch.RunAsync("token", "create", name, "--grant", "default=viewer");
        Assert.True(create.ExitCode == 0, create.ToString());
        var host = NewId("ghost-");
        var revoke = await Orch.RunAsync("host", "revoke", host);
        var restore = await Orch.RunAsync("host", "restore", host, "-o", "json");
        var unknown = await Orch.RunAsync("host", "restore", NewId("never-"));

        Assert.True(revoke.ExitCode == 0, revoke.ToString());
        Assert.Contains($"host {host} revoked by admin at ", revoke.Stdout);
        Assert.True(restore.ExitCode == 0, restore.ToString());
        Assert.False(JsonDocument.Parse(restore.Stdout).RootElement.TryGetProperty("revokedAt", out _));
        Assert.Equal(3, unknown.ExitCode);
        Assert.Contains("has registered", unknown.Stderr);

        var creates = await Orch.RunAsync("audit", "--action", "token.create", "--who", "admin", "--since", "10m", "-o", "json");
        Assert.True(creates.ExitCode == 0, creates.ToString());
        var entries = JsonDocument.Parse(creates.Stdout).RootElement.GetProperty("items").EnumerateArray().ToList();
        Assert.NotEmpty(entries);
        Assert.All(entries, e => Assert.Equal("token.create", e.GetProperty("action").GetString()));
        Assert.DoesNotContain(create.Stdout.Trim(), creates.Stdout);

        var hostEntries = await Orch.RunAsync("audit", "--object", $"host:{host}", "-o", "json");
        Assert.Equal(["host.restore", "host.revoke"], JsonDocument.Parse(hostEntries.Stdout).RootElement.GetProperty("items").EnumerateArray()
            .Select(e => e.GetProperty("action").GetString()));
        var table = await Orch.RunAsync("audit", "--object", $"host:{host}", "--limit", "1");
        Assert.Matches($@"admin\s+host\.restore\s+host:{host}\s+200", table.Stdout);
        Assert.Contains("more: --after ", table.Stdout);
        var next = System.Text.RegularExpressions.Regex.Match(table.Stdout, @"more: --after (\S+)").Groups[1].Value;
        var second = await Orch.RunAsync("audit", "--object", $"host:{host}", "--limit", "1", "--after", next);
        Assert.Matches($@"admin\s+host\.revoke\s+host:{host}\s+200", second.Stdout);

        var future = await Orch.RunAsync("audit", "--object", $"host:{host}", "--since", TimeProvider.System.GetUtcNow().AddHours(1).ToString("yyyy-MM-ddTHH:mm:ssZ", System.Globalization.CultureInfo.InvariantCulture), "-o", "json");
        Assert.Empty(JsonDocument.Parse(future.Stdout).RootElement.GetProperty("items").EnumerateArray());
    }

    [Fact]
    public async Task Audit_UnknownObjectKind_RefusedNamingObjectExitThree()
    {
        var result = await Orch.RunAsync("audit", "--object", "spaceship:1");

        Assert.Equal(3, result.ExitCode);
        Assert.Contains("object: 'spaceship' is not an object kind", result.Stderr);
    }
}
