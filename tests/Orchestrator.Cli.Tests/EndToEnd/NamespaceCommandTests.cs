using System.Text.Json;
using Orchestrator.Cli.Tests.Infrastructure;

namespace Orchestrator.Cli.Tests.EndToEnd;

/// <summary><c>orch -n</c> against a real silo: apply into a namespace, lists of one namespace, another namespace's token.</summary>
[Collection(CliSiloCollection.Name)]
public sealed class NamespaceCommandTests(CliSiloFixture silo) : CliTestBase(silo)
{
    private static List<JsonElement> Items(string stdout) => [.. JsonDocument.Parse(stdout).RootElement.EnumerateArray().Select(e => e.Clone())];

    [Fact]
    public async Task NamespaceOption_AppliesIntoIt_ListsIt_AndAnotherNamespacesTokenSeesNothing()
    {
        var ns = NewId("team-");
        var id = NewId("nsplan");
        var file = Path.Combine(Silo.Scratch, id + ".yaml");
        await File.WriteAllTextAsync(file, ScriptPlan("in-a-namespace", "echo hi"));

        var apply = await Orch.RunAsync("-n", ns, "plan", "apply", "-f", file);
        var again = await Orch.RunAsync("plan", "apply", "-f", file, "--namespace", ns);
        var listed = await Orch.RunAsync("plan", "list", "-n", ns, "-o", "json");
        var table = await Orch.RunAsync("plan", "list");
        var elsewhere = await Orch.RunAsync("plan", "list", "-n", NewId("other-"), "-o", "json");
        var moved = await Orch.RunAsync("plan", "apply", "-f", file, "-n", NewId("other-"));
        var badName = await Orch.RunAsync("plan", "list", "-n", "Not_A_Namespace");
        var token = await Orch.RunAsync("token", "create", NewId("other-admin-"), "--grant", NewId("team-") + "=admin");
        var foreign = await Orch.RunAsync("plan", "get", id, "--token", token.Stdout.Trim());

        Assert.True(apply.ExitCode == 0, apply.ToString());
        Assert.Contains("created", apply.Stdout, StringComparison.Ordinal);
        Assert.True(again.ExitCode == 0, again.ToString());
        Assert.Contains("unchanged", again.Stdout, StringComparison.Ordinal); // the stored namespace: field is no change
        var plan = Assert.Single(Items(listed.Stdout));
        Assert.Equal(id, plan.GetProperty("id").GetString());
        Assert.Equal(ns, plan.GetProperty("namespace").GetString());
        Assert.Contains("NAMESPACE", table.Stdout, StringComparison.Ordinal);
        Assert.Contains(ns, table.Stdout, StringComparison.Ordinal);
        Assert.Empty(Items(elsewhere.Stdout));
        Assert.NotEqual(0, moved.ExitCode);
        Assert.Contains("namespace", moved.Stderr, StringComparison.Ordinal);
        Assert.NotEqual(0, badName.ExitCode);
        Assert.Contains("is not a namespace", badName.Stderr, StringComparison.Ordinal);
        Assert.True(token.ExitCode == 0, token.ToString());
        Assert.NotEqual(0, foreign.ExitCode);
        Assert.Contains($"No plan '{id}'", foreign.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task NamespaceList_ShowsTheNamespacesInUseWithTheCallersRoles()
    {
        var ns = NewId("listed-");
        var file = Path.Combine(Silo.Scratch, NewId("nslist") + ".yaml");
        await File.WriteAllTextAsync(file, ScriptPlan("listed", "echo hi"));
        Assert.Equal(0, (await Orch.RunAsync("-n", ns, "plan", "apply", "-f", file)).ExitCode);

        var json = await Orch.RunAsync("namespace", "list", "-o", "json");
        var table = await Orch.RunAsync("ns", "list");

        Assert.True(json.ExitCode == 0, json.ToString());
        var items = Items(json.Stdout);
        var created = Assert.Single(items, i => i.GetProperty("name").GetString() == ns);
        Assert.Contains("admin", created.GetProperty("roles").EnumerateArray().Select(r => r.GetString()));
        Assert.Contains(items, i => i.GetProperty("name").GetString() == "default");
        Assert.Contains("ROLES", table.Stdout, StringComparison.Ordinal);
        Assert.Contains(ns, table.Stdout, StringComparison.Ordinal);
    }
}
