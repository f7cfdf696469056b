using System.Text.Json;
using Orchestrator.Cli.Tests.Infrastructure;

namespace Orchestrator.Cli.Tests.EndToEnd;

/// <summary>Helpers of the tests that run orch against the collection's silo.</summary>
public abstract class CliTestBase(CliSiloFixture silo)
{
    protected CliSiloFixture Silo { get; } = silo;

    protected OrchProcess Orch => Silo.Orch;

    protected static string NewId(string prefix) => prefix + Guid.NewGuid().ToString("N")[..8];

    /// <summary>A gate file path; a script waits until it exists.</summary>
    protected string NewGate() => Path.Combine(Silo.Scratch, "gate-" + Guid.NewGuid().ToString("N")[..8]);

    /// <summary>Writes <paramref name="yaml"/> to a file named after the plan id and applies it; fails with the output if apply fails.</summary>
    protected async Task<string> ApplyAsync(string id, string yaml)
    {
        var file = Path.Combine(Silo.Scratch, id + ".yaml");
        await File.WriteAllTextAsync(file, yaml);
        var applied = await Orch.RunAsync("plan", "apply", "-f", file);
        Assert.True(applied.ExitCode == 0, applied.ToString());
        return file;
    }

    /// <summary>Starts a run (without following) and returns its id, read from -o json.</summary>
    protected async Task<string> StartRunAsync(string planId, params string[] more)
    {
        var run = await Orch.RunAsync(["run", planId, "-o", "json", .. more]);
        Assert.True(run.ExitCode == 0, run.ToString());
        using var json = JsonDocument.Parse(run.Stdout);
        return json.RootElement.GetProperty("id").GetString()!;
    }

    /// <summary>The instance as <c>instance get -o json</c> prints it.</summary>
    protected async Task<JsonElement> InstanceAsync(string id)
    {
        var get = await Orch.RunAsync("instance", "get", id, "-o", "json");
        Assert.True(get.ExitCode == 0, get.ToString());
        using var json = JsonDocument.Parse(get.Stdout);
        return json.RootElement.Clone();
    }

    protected static string ScriptPlan(string name, string script) => $"""
        name: {name}
        steps:
          - name: work
            targets:
              hosts: [local]
            script:
              interpreter: bash
              source: |
        {string.Join('\n', script.Split('\n').Select(l => "          " + l))}
        """;
}
