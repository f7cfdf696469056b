using System.CommandLine;
using Orchestrator.Cli.App;

namespace Orchestrator.Cli.Commands;

/// <summary>
/// <c>orch completion bash</c>: prints a bash completion script that asks <c>orch</c> itself for the candidates through
/// System.CommandLine's <c>[suggest:POSITION]</c> directive, so completion always knows the installed version's commands
/// and options. Install: <c>source &lt;(orch completion bash)</c>.
/// </summary>
public static class CompletionCommand
{
    /// <summary>The bash script; <c>orch</c> is called with the line after its own name and the cursor position in it.</summary>
    public const string Bash = """
        # bash completion for orch: source <(orch completion bash)
        _orch_complete() {
            local line="${COMP_LINE:0:COMP_POINT}"
            local words="${line#*[[:space:]]}"
            [[ "$words" == "$line" ]] && words=""
            local IFS=$'\n'
            COMPREPLY=( $(compgen -W "$("${COMP_WORDS[0]}" "[suggest:${#words}]" "$words" 2>/dev/null)" -- "${COMP_WORDS[COMP_CWORD]}") )
        }
        complete -o default -F _orch_complete orch

        """;

    public static Command Completion()
    {
        var shell = new Argument<string>("shell") { Description = "The shell (bash)." };
        shell.AcceptOnlyFromAmong("bash");
        return new Command("completion", "Print a shell completion script: source <(orch completion bash).") { shell }
            .WithAction(invocation => invocation.Terminal.Stdout.WriteAsync(Bash));
    }
}
