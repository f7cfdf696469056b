using System.CommandLine;
using Orchestrator.Cli.App;

namespace Orchestrator.Cli.Commands;

/// <summary>Arguments and options several commands share, and their parsing.</summary>
public static class Args
{
    /// <summary><c>--param k=v</c>, repeatable.</summary>
    public static Option<string[]> Params() => new("--param", "-p")
    {
        Description = "A parameter as name=value (repeat for more).",
        AllowMultipleArgumentsPerToken = false,
        Arity = ArgumentArity.ZeroOrMore,
    };

    /// <summary><c>name=value</c> pairs into a dictionary; a pair without '=' or a name given twice is a usage error naming it.</summary>
    public static Dictionary<string, string> ParsePairs(IEnumerable<string>? pairs, string flag)
    {
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var pair in pairs ?? [])
        {
            var equals = pair.IndexOf('=', StringComparison.Ordinal);
            if (equals <= 0)
            {
                throw new CliException($"{flag} '{pair}' is not name=value.");
            }
            var name = pair[..equals].Trim();
            if (!values.TryAdd(name, pair[(equals + 1)..]))
            {
                throw new CliException($"{flag} {name} is given twice.");
            }
        }
        return values;
    }

    /// <summary>The instance id argument.</summary>
    public static Argument<string> Instance() => new("instance") { Description = "The task instance's id." };

    /// <summary><c>--step N</c>: a step's index (from 0).</summary>
    public static Option<int?> Step(string description) => new("--step", "-s") { Description = description };

    public static Option<string?> Reason() => new("--reason") { Description = "Why (recorded with the action)." };
}
