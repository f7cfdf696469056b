using System.Text.Json;
using Orchestrator.Cli.Tests.Infrastructure;

namespace Orchestrator.Cli.Tests.EndToEnd;

/// <summary>Contexts (login, list, use, delete, the file's permissions) and the errors a user reads.</summary>
[Collection(CliSiloCollection.Name)]
public sealed class ContextAndErrorTests(CliSiloFixture silo) : CliTestBase(silo)
{
    [Fact]
    public async Task Login_TwoContexts_FileIsOwnerOnlyAndUseSwitches()
    {
        var orch = new OrchProcess(Path.Combine(Silo.Folder, "config-" + Guid.NewGuid().ToString("N")[..8]));
        // The silo's own token when it requires one; a server without authentication ignores a made-up one.
        var token = Silo.Token ?? "secret-token-" + Guid.NewGuid().ToString("N");

        var login = await orch.RunAsync("login", "--server", Silo.Server, "--token", token, "--context", "lab", "--no-verify");
        Assert.True(login.ExitCode == 0, login.ToString());
        var second = await orch.RunAsync("login", "--server", "http://127.0.0.1:1", "--context", "nowhere", "--no-verify");
        Assert.True(second.ExitCode == 0, second.ToString());

        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(orch.ConfigFile));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(Path.GetDirectoryName(orch.ConfigFile)!));
        Assert.Contains(token, await File.ReadAllTextAsync(orch.ConfigFile));

        var list = await orch.RunAsync("context", "list", "-o", "json");
        Assert.DoesNotContain(token, list.Stdout);
        var contexts = JsonDocument.Parse(list.Stdout).RootElement.EnumerateArray().ToDictionary(c => c.GetProperty("name").GetString()!);
        Assert.True(contexts["nowhere"].GetProperty("current").GetBoolean());
        Assert.True(contexts["lab"].GetProperty("hasToken").GetBoolean());

        // The current context points nowhere: the error names the server, exits 4, and has no stack trace.
        var unreachable = await orch.RunAsync("plan", "list");
        Assert.Equal(4, unreachable.ExitCode);
        Assert.Contains("cannot reach the server at http://127.0.0.1:1", unreachable.Stderr);
        Assert.DoesNotContain("   at ", unreachable.Stderr);

        // --context, and ORCH_SERVER with ORCH_TOKEN, override the current one.
        Assert.Equal(0, (await orch.RunAsync("plan", "list", "--context", "lab")).ExitCode);
        orch.Environment["ORCH_SERVER"] = Silo.Server;
        orch.Environment["ORCH_TOKEN"] = token;
        var overridden = await orch.RunAsync("host", "list");
        Assert.True(overridden.ExitCode == 0, overridden.ToString());
        orch.Environment.Remove("ORCH_SERVER");
        orch.Environment.Remove("ORCH_TOKEN");

        Assert.Equal(0, (await orch.RunAsync("context", "use", "lab")).ExitCode);
        Assert.Equal(0, (await orch.RunAsync("plan", "list")).ExitCode);
        Assert.Equal(0, (await orch.RunAsync("context", "delete", "nowhere")).ExitCode);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(orch.ConfigFile));
        Assert.DoesNotContain("nowhere", await File.ReadAllTextAsync(orch.ConfigFile));
    }

    [Fact]
    public async Task UnknownFlag_NamedWithHelpHintAndExitTwo()
    {
        var result = await Orch.RunAsync("instance", "list", "--bogus");

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("'--bogus'", result.Stderr);
        Assert.Contains("orch instance list --help", result.Stderr);
    }

    [Fact]
    public async Task InstanceGet_NoSuchInstance_ShowsProblemDetailAndTraceIdExitThree()
    {
        var result = await Orch.RunAsync("instance", "get", "no-such-run");

        Assert.Equal(3, result.ExitCode);
        Assert.Contains("404", result.Stderr);
        Assert.Contains("No task instance 'no-such-run'", result.Stderr);
        Assert.Matches("trace id: [0-9a-f-]*[0-9a-f]{32}", result.Stderr);
        Assert.DoesNotContain("   at ", result.Stderr);
    }

    [Fact]
    public async Task Run_BadParameterPair_NamedExitTwo()
    {
        var result = await Orch.RunAsync("run", "anything", "--param", "novalue");

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("--param 'novalue' is not name=value", result.Stderr);
    }

    [Fact]
    public async Task Completion_SuggestDirective_OffersSubcommands()
    {
        var script = await Orch.RunAsync("completion", "bash");
        Assert.Contains("complete -o default -F _orch_complete orch", script.Stdout);

        var suggest = await Orch.RunAsync("[suggest:9]", "instance ");
        Assert.Contains("approve", suggest.Stdout.Split('\n', StringSplitOptions.TrimEntries));
        Assert.Contains("retry", suggest.Stdout.Split('\n', StringSplitOptions.TrimEntries));

        // The script itself, in bash, as a user's shell runs it: completing "orch instance ap" and "orch plan list -o ".
        var bin = Path.Combine(Silo.Folder, "bin-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(bin);
        var wrapper = Path.Combine(bin, "orch");
        await File.WriteAllTextAsync(wrapper, $"#!/bin/sh\nexec {Orch.ShellCommand()} \"$@\"\n");
        File.SetUnixFileMode(wrapper, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        await File.WriteAllTextAsync(Path.Combine(bin, "completion.bash"), script.Stdout);
        var bash = await Shell.RunAsync("bash", "-c", $$"""
            PATH={{bin}}:$PATH; source {{bin}}/completion.bash
            COMP_LINE="orch instance ap"; COMP_POINT=${#COMP_LINE}; COMP_WORDS=(orch instance ap); COMP_CWORD=2; _orch_complete; echo "[${COMPREPLY[*]}]"
            COMP_LINE="orch plan list -o "; COMP_POINT=${#COMP_LINE}; COMP_WORDS=(orch plan list -o ""); COMP_CWORD=4; _orch_complete; echo "[${COMPREPLY[*]}]"
            """);
        Assert.Contains("[approve]", bash);
        Assert.Contains("[json table yaml]", bash);
    }
}
