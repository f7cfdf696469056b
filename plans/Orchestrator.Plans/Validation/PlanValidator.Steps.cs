using System.Text.RegularExpressions;
using Orchestrator.Plans.Model;
using Orchestrator.Plans.Parsing;
using Orchestrator.Plans.Selectors;
using Orchestrator.Plans.Templates;

namespace Orchestrator.Plans.Validation;

public static partial class PlanValidator
{
    /// <summary>The interpreters an agent knows how to start.</summary>
    public static readonly IReadOnlyList<string> Interpreters = ["sh", "bash", "python3", "pwsh"];

    private static void ValidateStepName(StepContext context, HashSet<string> names, List<PlanError> errors)
    {
        var name = context.Step.Name;
        var path = context.Field("name");
        if (string.IsNullOrEmpty(name))
        {
            errors.Add(new PlanError(path, "A step needs a name."));
        }
        else if (!IsStepName(name))
        {
            errors.Add(new PlanError(path, $"'{PlanLimits.Excerpt(name)}' is not a step name: letters, digits, '_' and '-', at most {MaxStepNameLength} characters."));
        }
        else if (name == StepHostsReference.Previous)
        {
            errors.Add(new PlanError(path, $"'{StepHostsReference.Previous}' is reserved: it means the step just before."));
        }
        else if (!names.Add(name))
        {
            errors.Add(new PlanError(path, $"Step name '{name}' is already used by an earlier step."));
        }
    }

    private static void ValidateStep(StepContext context, List<PlanError> errors)
    {
        var step = context.Step;
        if (ValidateKind(context, errors))
        {
            ValidateTargets(context, errors);
        }

        if (step.Script is not null)
        {
            ValidateScript(context, step.Script, errors);
        }

        if (step.Files is not null)
        {
            ValidateFiles(context, step.Files, errors);
        }

        if (step.Approval is not null)
        {
            ValidateApproval(context, step.Approval, errors);
        }

        if (step.Http is not null)
        {
            ValidateHttp(context, step.Http, errors);
        }

        if (step.Container is not null)
        {
            ValidateContainer(context, step.Container, errors);
        }

        ValidateExecution(context, step.Execution ?? new ExecutionSpec(), errors);
    }

    /// <summary>Checks the kind against the specs given; false when the kind is not one at all.</summary>
    private static bool ValidateKind(StepContext context, List<PlanError> errors)
    {
        var step = context.Step;
        var path = context.Field("kind");
        if (!Enum.IsDefined(step.Kind))
        {
            errors.Add(new PlanError(path, $"Unknown step kind {(int)step.Kind}."));
            return false;
        }

        var expected = step.Kind switch
        {
            StepKind.Script => "script",
            StepKind.FileDistribution => "files",
            StepKind.Http => "http",
            StepKind.Container => "container",
            _ => "approval",
        };
        var given = new List<string>();
        if (step.Script is not null)
        {
            given.Add("script");
        }

        if (step.Files is not null)
        {
            given.Add("files");
        }

        if (step.Approval is not null)
        {
            given.Add("approval");
        }

        if (step.Http is not null)
        {
            given.Add("http");
        }

        if (step.Container is not null)
        {
            given.Add("container");
        }

        var kind = EnumNames.Format(step.Kind);
        if (!given.Contains(expected))
        {
            errors.Add(new PlanError(path, $"A step of kind {kind} needs '{expected}'."));
        }

        foreach (var other in given.Where(g => g != expected))
        {
            errors.Add(new PlanError(path, $"A step of kind {kind} cannot have '{other}'."));
        }

        return true;
    }

    private static void ValidateTargets(StepContext context, List<PlanError> errors)
    {
        var targets = context.Step.Targets;
        var path = context.Field("targets");
        if (context.RunsOnClusters)
        {
            ValidateClusterTargets(context, targets, path, errors);
            return;
        }

        if (targets is not null && context.RunsOnHosts)
        {
            RefuseClusterParts(context, targets, path, errors);
        }

        if (!context.RunsOnHosts)
        {
            if (targets is not null)
            {
                errors.Add(new PlanError(path, "An approval step runs on no hosts; remove 'targets'."));
            }

            return;
        }

        if (targets is null || (targets.Hosts.Count == 0 && targets.Selector is null && targets.Parameter is null && targets.FromStep is null
            && targets.Clusters.Count == 0 && targets.ClusterSelector is null && targets.Dispatch is null))
        {
            errors.Add(new PlanError(path, $"A {EnumNames.Format(context.Step.Kind)} step needs targets: give hosts, selector, parameter or fromStep."));
            return;
        }

        var hostsPath = PlanPath.Field(path, "hosts");
        var counted = Counted(targets.Hosts.Count, hostsPath, PlanLimits.MaxHostsPerList, "hosts in a list (use a selector or a hostList parameter)", errors);
        for (var i = 0; i < counted; i++)
        {
            if (!HostNames.IsValid(targets.Hosts[i]))
            {
                errors.Add(new PlanError(PlanPath.Item(hostsPath, i), $"'{PlanLimits.Excerpt(targets.Hosts[i])}' is not a valid host name: {HostNames.Rule}."));
            }
        }

        var selectorPath = PlanPath.Field(path, "selector");
        if (targets.Selector is { } selector && Length(selector, selectorPath, PlanLimits.MaxSelectorLength, errors)
            && !LabelSelector.TryParse(selector, out _, out var selectorError))
        {
            errors.Add(new PlanError(selectorPath, selectorError));
        }

        if (targets.Parameter is { } parameter)
        {
            var parameterPath = PlanPath.Field(path, "parameter");
            if (!context.Parameters.TryGetValue(parameter, out var definition))
            {
                errors.Add(new PlanError(parameterPath, $"No parameter is named '{PlanLimits.Excerpt(parameter)}'.{Known(context.Parameters.Keys)}"));
            }
            else if (definition.Type != ParameterType.HostList)
            {
                errors.Add(new PlanError(parameterPath, $"Parameter '{parameter}' is a {EnumNames.Format(definition.Type)}; targets need a hostList parameter."));
            }
        }

        if (targets.FromStep is { } from)
        {
            ValidateFromStep(context, from, PlanPath.Field(path, "fromStep"), errors);
        }
    }

    private static void ValidateFromStep(StepContext context, StepHostsReference from, string path, List<PlanError> errors)
    {
        if (!Enum.IsDefined(from.Outcome))
        {
            errors.Add(new PlanError(PlanPath.Field(path, "outcome"), $"Unknown outcome {(int)from.Outcome}."));
        }

        var stepPath = PlanPath.Field(path, "step");
        if (string.IsNullOrEmpty(from.Step))
        {
            errors.Add(new PlanError(stepPath, $"Name an earlier step, or '{StepHostsReference.Previous}'."));
        }
        else if (ReferencedStep(context, from.Step, stepPath, errors) is { Kind: StepKind.Approval or StepKind.Container } referenced)
        {
            errors.Add(new PlanError(stepPath, referenced.Kind == StepKind.Approval
                ? $"Step '{referenced.Name}' is an approval step; it ran on no hosts."
                : $"Step '{referenced.Name}' is a container step; it ran on clusters, not hosts."));
        }
    }

    /// <summary>The earlier step a name refers to; an error (and null) when it names no earlier step.</summary>
    private static StepDefinition? ReferencedStep(StepContext context, string name, string path, List<PlanError> errors)
    {
        if (name == StepHostsReference.Previous)
        {
            if (context.Index == 0)
            {
                errors.Add(new PlanError(path, $"'{StepHostsReference.Previous}' in the first step refers to no step."));
                return null;
            }

            return context.Earlier[^1];
        }

        if (context.Earlier.FirstOrDefault(s => s.Name == name) is { } earlier)
        {
            return earlier;
        }

        errors.Add(new PlanError(path, context.All.Any(s => s?.Name == name)
            ? $"Step '{name}' does not come before this step; only earlier steps can be referred to."
            : $"No earlier step is named '{PlanLimits.Excerpt(name)}'.{Known(context.Earlier.Select(s => s.Name))}"));
        return null;
    }

    private static void ValidateScript(StepContext context, ScriptSpec script, List<PlanError> errors)
    {
        var path = context.Field("script");
        if (!Interpreters.Contains(script.Interpreter))
        {
            errors.Add(new PlanError(PlanPath.Field(path, "interpreter"),
                $"Unknown interpreter '{PlanLimits.Excerpt(script.Interpreter)}'; use one of {string.Join(", ", Interpreters)}."));
        }

        var sourcePath = PlanPath.Field(path, "source");
        if (string.IsNullOrWhiteSpace(script.Source))
        {
            errors.Add(new PlanError(sourcePath, "A script needs a source (or a file)."));
        }
        else if (Length(script.Source, sourcePath, PlanLimits.MaxScriptLength, errors))
        {
            ValidateTemplate(context, sourcePath, script.Source, errors);
        }

        var args = script.Args ?? [];
        var argsPath = PlanPath.Field(path, "args");
        var counted = Counted(args.Count, argsPath, PlanLimits.MaxArgs, "args", errors);
        for (var i = 0; i < counted; i++)
        {
            var argPath = PlanPath.Item(argsPath, i);
            if (Length(args[i], argPath, PlanLimits.MaxArgLength, errors))
            {
                ValidateTemplate(context, argPath, args[i] ?? "", errors);
            }
        }

        ValidateEnv(context, script.Env ?? new Dictionary<string, string>(), PlanPath.Field(path, "env"), errors);

        if (script.WorkingDirectory is { } directory)
        {
            var directoryPath = PlanPath.Field(path, "workingDirectory");
            if (string.IsNullOrWhiteSpace(directory))
            {
                errors.Add(new PlanError(directoryPath, "Leave workingDirectory out rather than empty."));
            }

            if (Length(directory, directoryPath, PlanLimits.MaxPathLength, errors))
            {
                ValidateTemplate(context, directoryPath, directory, errors);
            }
        }
    }

    private static bool IsAbsoluteOrTemplate(string path) =>
        path.StartsWith('/')
        || (path.Length >= 3 && char.IsAsciiLetter(path[0]) && path[1] == ':' && path[2] is '\\' or '/')
        || path.StartsWith("${{", StringComparison.Ordinal);

    private static string Known(IEnumerable<string> names)
    {
        var list = names.Where(n => !string.IsNullOrEmpty(n)).ToList();
        return list.Count == 0 ? "" : $" Known: {string.Join(", ", list)}.";
    }

    [GeneratedRegex("^[A-Za-z_][A-Za-z0-9_]*$", RegexOptions.CultureInvariant)]
    private static partial Regex EnvironmentName();
}
