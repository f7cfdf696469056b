using Orchestrator.Plans.Model;
using Orchestrator.Plans.Validation;
using YamlDotNet.RepresentationModel;

namespace Orchestrator.Plans.Parsing;

/// <summary>
/// Builds a <see cref="PlanDefinition"/> from a node tree. It checks shape (known fields, types, enum names); what a
/// well-shaped plan must satisfy is <see cref="Validation.PlanValidator"/>'s job.
/// </summary>
internal sealed partial class PlanReader(NodeReader reader, PlanParseOptions options)
{
    private static readonly string[] PlanFields = ["name", "namespace", "description", "parameters", "steps", "ttlAfterFinished", "ttlSecondsAfterFinished"];
    private static readonly string[] ParameterFields = ["name", "type", "required", "default", "description"];
    private static readonly string[] StepFields = ["name", "kind", "targets", "script", "files", "approval", "http", "container", "execution", "continueOnError"];

    public PlanDefinition? ReadPlan(YamlNode root)
    {
        var f = reader.Mapping(root, "", "the plan", PlanFields);
        if (f is null)
        {
            return null;
        }

        return new PlanDefinition
        {
            Name = f.String("name") ?? "",
            Namespace = ReadNamespace(f),
            Description = f.String("description"),
            Parameters = f.List("parameters", ReadParameter),
            Steps = f.List("steps", ReadStep),
            TtlAfterFinished = ReadTtl(f),
        };
    }

    /// <summary><c>namespace: team-a</c>: a namespace name, checked here so that its error has a line and column.</summary>
    private string? ReadNamespace(MappingFields f)
    {
        if (!f.TryGet("namespace", out var node) || f.String("namespace") is not { } name)
        {
            return null;
        }

        if (!Namespaces.IsValid(name))
        {
            reader.Error(f.PathOf("namespace"), node, Namespaces.Rule(name));
            return null;
        }

        return name;
    }

    /// <summary><c>ttlAfterFinished: 1h</c>, or Kubernetes' <c>ttlSecondsAfterFinished: 3600</c>; not both.</summary>
    private TimeSpan? ReadTtl(MappingFields f)
    {
        if (!f.TryGet("ttlSecondsAfterFinished", out var node))
        {
            return f.Duration("ttlAfterFinished");
        }

        if (f.Has("ttlAfterFinished"))
        {
            Conflict(f, "ttlSecondsAfterFinished", "ttlAfterFinished", node);
            return null;
        }

        if (f.Int("ttlSecondsAfterFinished") is not { } seconds)
        {
            return null;
        }

        if (seconds < 0)
        {
            reader.Error(f.PathOf("ttlSecondsAfterFinished"), node, $"ttlSecondsAfterFinished must be 0 or more (0 deletes at once), not {seconds}.");
            return null;
        }

        var max = (int)PlanLimits.MaxTtlAfterFinished.TotalSeconds;
        if (seconds > max)
        {
            reader.Error(f.PathOf("ttlSecondsAfterFinished"), node,
                $"ttlSecondsAfterFinished must be at most {max} ({PlanLimits.Describe(PlanLimits.MaxTtlAfterFinished)}), not {seconds}.");
            return null;
        }

        return TimeSpan.FromSeconds(seconds);
    }

    private ParameterDefinition? ReadParameter(YamlNode node, string path)
    {
        var f = reader.Mapping(node, path, "a parameter", ParameterFields);
        if (f is null)
        {
            return null;
        }

        return new ParameterDefinition
        {
            Name = f.String("name") ?? "",
            Type = f.Enum<ParameterType>("type") ?? ParameterType.String,
            Required = f.Bool("required") ?? false,
            Default = f.String("default"),
            Description = f.String("description"),
        };
    }

    private StepDefinition? ReadStep(YamlNode node, string path)
    {
        var f = reader.Mapping(node, path, "a step", StepFields);
        if (f is null)
        {
            return null;
        }

        var kind = ReadKind(f, node);
        return new StepDefinition
        {
            Name = f.String("name") ?? "",
            Kind = kind,
            Targets = f.TryGet("targets", out var targets) ? ReadTargets(targets, f.PathOf("targets")) : null,
            Script = f.TryGet("script", out var script) ? ReadScript(script, f.PathOf("script")) : null,
            Files = f.TryGet("files", out var files) ? ReadFiles(files, f.PathOf("files")) : null,
            Approval = f.TryGet("approval", out var approval) ? ReadApproval(approval, f.PathOf("approval")) : null,
            Http = f.TryGet("http", out var http) ? ReadHttp(http, f.PathOf("http")) : null,
            Container = f.TryGet("container", out var container) ? ReadContainer(container, f.PathOf("container")) : null,
            Execution = f.TryGet("execution", out var execution) ? ReadExecution(execution, f.PathOf("execution"), kind == StepKind.Container) : new(),
            ContinueOnError = f.Bool("continueOnError") ?? false,
        };
    }

    /// <summary>The step's kind as written, or the one its single spec implies when <c>kind</c> is left out.</summary>
    private StepKind ReadKind(MappingFields f, YamlNode step)
    {
        if (f.TryGet("kind", out _))
        {
            return f.Enum<StepKind>("kind") ?? StepKind.Script;
        }

        var given = new List<(string Field, StepKind Kind)>();
        foreach (var (field, kind) in new[] { ("script", StepKind.Script), ("files", StepKind.FileDistribution), ("approval", StepKind.Approval), ("http", StepKind.Http), ("container", StepKind.Container) })
        {
            if (f.Has(field))
            {
                given.Add((field, kind));
            }
        }

        if (given.Count == 1)
        {
            return given[0].Kind;
        }

        var message = given.Count == 0
            ? "A step needs one of 'script', 'files', 'approval', 'http' or 'container'."
            : $"A step does one thing; it has {string.Join(" and ", given.Select(g => $"'{g.Field}'"))}.";
        reader.Error(f.PathOf("kind"), step, message);
        // Which targets a step takes (hosts or clusters) depends on its kind: not known, they cannot be judged.
        reader.MarkIncomplete(f.PathOf("targets"));
        return StepKind.Script;
    }
}
