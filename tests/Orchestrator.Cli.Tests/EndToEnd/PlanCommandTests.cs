using System.Text.Json;
using Orchestrator.Cli.Tests.Infrastructure;

namespace Orchestrator.Cli.Tests.EndToEnd;

/// <summary><c>orch plan apply|get|list|versions</c> against a real silo.</summary>
[Collection(CliSiloCollection.Name)]
public sealed class PlanCommandTests(CliSiloFixture silo) : CliTestBase(silo)
{
    [Fact]
    public async Task PlanApply_YamlSyntaxError_ShowsLineAndColumnAndExitsRefused()
    {
        var file = Path.Combine(Silo.Scratch, NewId("bad") + ".yaml");
        await File.WriteAllTextAsync(file, """
            name: broken
            steps:
              - name: greet
                targets:
                  hosts: [local
                script: echo hi
            """);

        var apply = await Orch.RunAsync("plan", "apply", "-f", file);

        Assert.Equal(3, apply.ExitCode);
        Assert.Matches(@"line \d+, column \d+", apply.Stderr);
        Assert.Contains(Path.GetFileName(file), apply.Stderr);
        Assert.Contains("trace id:", apply.Stderr);
        Assert.DoesNotContain("   at ", apply.Stderr); // no stack trace
    }

    [Fact]
    public async Task PlanApply_InvalidField_NamesFieldWithLineAndColumn()
    {
        var file = Path.Combine(Silo.Scratch, NewId("badfield") + ".yaml");
        await File.WriteAllTextAsync(file, """
            name: broken
            steps:
              - name: greet
                targets:
                  hosts: [local]
                script:
                  interpreter: bash
                  source: echo hi
                execution:
                  parallelism: -4
            """);

        var apply = await Orch.RunAsync("plan", "apply", "-f", file);

        Assert.Equal(3, apply.ExitCode);
        Assert.Contains("line 10, column", apply.Stderr);
        Assert.Contains("parallelism", apply.Stderr);
    }

    [Fact]
    public async Task PlanApply_DryRunOfAnInvalidPlan_TheServerNamesTheFieldAndNothingIsSaved()
    {
        var id = NewId("drybad");
        var file = Path.Combine(Silo.Scratch, id + ".yaml");
        await File.WriteAllTextAsync(file, """
            name: broken
            steps:
              - name: greet
                targets:
                  hosts: [local]
                script:
                  interpreter: bash
                  source: echo hi
                execution:
                  parallelism: -4
            """);

        var dry = await Orch.RunAsync("plan", "apply", "-f", file, "--dry-run");
        var get = await Orch.RunAsync("plan", "get", id);

        Assert.Equal(3, dry.ExitCode); // valid YAML: only the server's check finds the field
        Assert.Contains("line 10, column", dry.Stderr);
        Assert.Contains("parallelism", dry.Stderr);
        Assert.NotEqual(0, get.ExitCode); // not saved
    }

    [Fact]
    public async Task PlanApply_DryRunOfAValidNewPlan_ReportsItValidAndSavesNothing()
    {
        var id = NewId("drygood");
        var file = Path.Combine(Silo.Scratch, id + ".yaml");
        await File.WriteAllTextAsync(file, ScriptPlan("dry-plan", "echo fine"));

        var dry = await Orch.RunAsync("plan", "apply", "-f", file, "--dry-run");
        var get = await Orch.RunAsync("plan", "get", id);

        Assert.True(dry.ExitCode == 0, dry.ToString());
        Assert.Contains($"dry run: plan {id} is valid (1 step, namespace default); not saved.", dry.Stdout);
        Assert.NotEqual(0, get.ExitCode);
    }

    [Fact]
    public async Task PlanApply_ChangedPlan_ShowsUnifiedDiffAndDryRunSavesNothing()
    {
        var id = NewId("diff");
        var file = await ApplyAsync(id, ScriptPlan("diff-plan", "echo one"));

        await File.WriteAllTextAsync(file, ScriptPlan("diff-plan", "echo two"));
        var dry = await Orch.RunAsync("plan", "apply", "-f", file, "--dry-run");
        Assert.True(dry.ExitCode == 0, dry.ToString());
        Assert.Contains($"--- {id} (version 1, stored)", dry.Stdout);
        Assert.True(dry.Stdout.Contains("-    source: echo one", StringComparison.Ordinal), dry.Stdout);
        Assert.Contains("+    source: echo two", dry.Stdout);
        Assert.Contains("not saved", dry.Stdout);
        var versions = await Orch.RunAsync("plan", "versions", id, "-o", "json");
        Assert.Equal(1, JsonDocument.Parse(versions.Stdout).RootElement.GetArrayLength());

        var apply = await Orch.RunAsync("plan", "apply", "-f", file);
        Assert.True(apply.ExitCode == 0, apply.ToString());
        Assert.Contains("updated to version 2", apply.Stdout);
        var again = await Orch.RunAsync("plan", "apply", "-f", file);
        Assert.Contains("unchanged (version 2)", again.Stdout);

        versions = await Orch.RunAsync("plan", "versions", id, "-o", "json");
        var list = JsonDocument.Parse(versions.Stdout).RootElement;
        Assert.Equal([2, 1], list.EnumerateArray().Select(v => v.GetProperty("version").GetInt32()));
    }

    [Fact]
    public async Task PlanListAndGet_OutputJsonAndYaml_ParsedAndReappliable()
    {
        var id = NewId("json");
        await ApplyAsync(id, ScriptPlan("json-plan", "echo hi"));

        var list = await Orch.RunAsync("plan", "list", "-o", "json");
        Assert.True(list.ExitCode == 0, list.ToString());
        var row = JsonDocument.Parse(list.Stdout).RootElement.EnumerateArray().Single(p => p.GetProperty("id").GetString() == id);
        Assert.Equal("json-plan", row.GetProperty("plan").GetProperty("name").GetString());

        var get = await Orch.RunAsync("plan", "get", id, "-o", "json");
        var plan = JsonDocument.Parse(get.Stdout).RootElement;
        Assert.Equal(1, plan.GetProperty("version").GetInt32());
        Assert.Equal("work", plan.GetProperty("definition").GetProperty("steps")[0].GetProperty("name").GetString());

        var yaml = await Orch.RunAsync("plan", "get", id, "-o", "yaml");
        Assert.Contains("name: json-plan", yaml.Stdout);
        var copy = Path.Combine(Silo.Scratch, id + "-copy.yaml");
        await File.WriteAllTextAsync(copy, yaml.Stdout);
        var reapplied = await Orch.RunAsync("plan", "apply", "-f", copy, "--id", id);
        Assert.Contains("unchanged (version 1)", reapplied.Stdout);
    }
}
