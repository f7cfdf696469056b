using Orchestrator.Plans.Model;
using Orchestrator.Plans.Parsing;

namespace Orchestrator.Plans.Validation;

/// <summary>
/// The rules a plan must satisfy beyond its shape: names, step kinds, targets, templates, execution limits. Errors
/// carry paths only (<c>steps[1].execution.rolling.expression</c>); <see cref="PlanParser"/> maps them back to lines.
/// </summary>
public static partial class PlanValidator
{
    public const int MaxPlanNameLength = PlanLimits.MaxPlanNameLength;
    public const int MaxStepNameLength = PlanLimits.MaxStepNameLength;

    /// <summary>Every rule the plan breaks, in plan order; empty when the plan is valid.</summary>
    public static IReadOnlyList<PlanError> Validate(PlanDefinition plan)
    {
        ArgumentNullException.ThrowIfNull(plan);
        var errors = new List<PlanError>();
        ValidatePlanName(plan.Name, errors);
        if (plan.Namespace is { } ns && !Namespaces.IsValid(ns))
        {
            errors.Add(new PlanError("namespace", Namespaces.Rule(ns)));
        }

        Length(plan.Description, "description", PlanLimits.MaxDescriptionLength, errors);
        if (plan.TtlAfterFinished is { } ttl && ttl < TimeSpan.Zero)
        {
            errors.Add(new PlanError("ttlAfterFinished", $"ttlAfterFinished must be zero (delete at once) or longer, not {DurationFormat.Format(ttl)}."));
        }
        else
        {
            Duration(plan.TtlAfterFinished, "ttlAfterFinished", PlanLimits.MaxTtlAfterFinished, errors, zeroAllowed: true);
        }

        var parameters = ValidateParameters(plan.Parameters ?? [], errors);

        var steps = plan.Steps ?? [];
        if (steps.Count == 0)
        {
            errors.Add(new PlanError("steps", "A plan needs at least one step."));
        }

        var earlier = new List<StepDefinition>();
        var names = new HashSet<string>(StringComparer.Ordinal);
        var counted = Counted(steps.Count, "steps", PlanLimits.MaxSteps, "steps", errors);
        for (var i = 0; i < counted; i++)
        {
            var step = steps[i];
            var path = PlanPath.Item("steps", i);
            if (step is null)
            {
                errors.Add(new PlanError(path, "A step is missing."));
                continue;
            }

            var context = new StepContext(path, i, step, earlier, steps, parameters);
            ValidateStepName(context, names, errors);
            ValidateStep(context, errors);
            earlier.Add(step);
        }

        return errors;
    }

    private static void ValidatePlanName(string? name, List<PlanError> errors)
    {
        if (string.IsNullOrWhiteSpace(name))
        {
            errors.Add(new PlanError("name", "A plan needs a name."));
        }
        else if (name.Length > MaxPlanNameLength)
        {
            errors.Add(new PlanError("name", $"A plan name is at most {MaxPlanNameLength} characters; this one has {name.Length}."));
        }
        else if (name.Any(char.IsControl))
        {
            errors.Add(new PlanError("name", "A plan name is one line of text without control characters."));
        }
    }

    private static Dictionary<string, ParameterDefinition> ValidateParameters(IReadOnlyList<ParameterDefinition> parameters, List<PlanError> errors)
    {
        var byName = new Dictionary<string, ParameterDefinition>(StringComparer.Ordinal);
        var seen = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        var counted = Counted(parameters.Count, "parameters", PlanLimits.MaxParameters, "parameters", errors);
        for (var i = 0; i < counted; i++)
        {
            var path = PlanPath.Item("parameters", i);
            var parameter = parameters[i];
            if (parameter is null)
            {
                errors.Add(new PlanError(path, "A parameter is missing."));
                continue;
            }

            if (!IsParameterName(parameter.Name))
            {
                errors.Add(new PlanError(PlanPath.Field(path, "name"),
                    $"'{PlanLimits.Excerpt(parameter.Name)}' is not a parameter name: letters, digits and '_', starting with a letter, at most {PlanLimits.MaxParameterNameLength} characters."));
            }
            else if (!seen.Add(parameter.Name))
            {
                // Names differing only in case would collide as ORCH_PARAM_<NAME> environment variables.
                errors.Add(new PlanError(PlanPath.Field(path, "name"),
                    $"Parameter '{parameter.Name}' is defined twice (names are compared ignoring case)."));
            }
            else
            {
                byName[parameter.Name] = parameter;
            }

            if (!Enum.IsDefined(parameter.Type))
            {
                errors.Add(new PlanError(PlanPath.Field(path, "type"), $"Unknown parameter type {(int)parameter.Type}."));
            }

            Length(parameter.Description, PlanPath.Field(path, "description"), PlanLimits.MaxDescriptionLength, errors);
            if (!Length(parameter.Default, PlanPath.Field(path, "default"), PlanLimits.MaxParameterValueLength, errors))
            {
                continue;
            }

            if (parameter.Type == ParameterType.HostList && parameter.Default is { } hosts)
            {
                foreach (var host in HostNames.Split(hosts).Where(h => !HostNames.IsValid(h)))
                {
                    errors.Add(new PlanError(PlanPath.Field(path, "default"), $"'{PlanLimits.Excerpt(host)}' is not a valid host name."));
                }
            }
        }

        return byName;
    }

    internal static bool IsParameterName(string? name) =>
        name is { Length: > 0 and <= PlanLimits.MaxParameterNameLength }
        && char.IsAsciiLetter(name[0])
        && name.All(c => char.IsAsciiLetterOrDigit(c) || c == '_');

    internal static bool IsStepName(string? name) =>
        name is { Length: > 0 and <= MaxStepNameLength }
        && name.All(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '-');

    /// <summary>What the rules for one step need to know about the plan around it.</summary>
    private sealed record StepContext(
        string Path,
        int Index,
        StepDefinition Step,
        IReadOnlyList<StepDefinition> Earlier,
        IReadOnlyList<StepDefinition> All,
        IReadOnlyDictionary<string, ParameterDefinition> Parameters)
    {
        public string Field(string name) => PlanPath.Field(Path, name);

        public bool RunsOnHosts => Step.Kind is StepKind.Script or StepKind.FileDistribution or StepKind.Http;

        public bool RunsOnClusters => Step.Kind is StepKind.Container;
    }
}
