using Orchestrator.Plans.Model;
using Orchestrator.Plans.Parsing;
using Orchestrator.Plans.Validation;

namespace Orchestrator.Plans.Parameters;

/// <summary>
/// The values a task instance runs with: the operator's, checked against the plan's parameters and completed with
/// defaults; and how they reach scripts (<c>ORCH_PARAM_&lt;NAME&gt;</c>) and how secrets are hidden (<c>***</c>).
/// </summary>
public static class PlanParameters
{
    /// <summary>What a secret's value is replaced with in logs and API replies.</summary>
    public const string Mask = "***";

    /// <summary>The prefix of the environment variable each parameter reaches a script as.</summary>
    public const string EnvironmentPrefix = "ORCH_PARAM_";

    /// <summary>Longest value an operator may give a parameter: 64 KiB of characters (it reaches scripts as an environment variable).</summary>
    public const int MaxValueLength = PlanLimits.MaxParameterValueLength;

    /// <summary>
    /// Checks the given values and completes them: a missing value takes the default, or is an error when the parameter
    /// is required, or is empty otherwise; a name the plan does not define is an error; a host list is split on commas,
    /// trimmed, checked host by host and written back as <c>a,b,c</c>; a given value longer than
    /// <see cref="MaxValueLength"/> or holding a NUL (which no environment variable can) is an error. Errors have paths
    /// <c>parameters.NAME</c>.
    /// </summary>
    public static (IReadOnlyDictionary<string, string> Values, IReadOnlyList<PlanError> Errors) Resolve(
        PlanDefinition plan,
        IReadOnlyDictionary<string, string> given)
    {
        ArgumentNullException.ThrowIfNull(plan);
        ArgumentNullException.ThrowIfNull(given);
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        var errors = new List<PlanError>();
        var defined = plan.Parameters.Select(p => p.Name).ToHashSet(StringComparer.Ordinal);

        foreach (var name in given.Keys.Where(name => !defined.Contains(name)).Order(StringComparer.Ordinal))
        {
            var known = defined.Count == 0 ? "the plan has none" : $"the plan has {string.Join(", ", defined)}";
            errors.Add(new PlanError(name.Length > PlanLimits.MaxParameterNameLength ? "parameters" : Path(name), $"Unknown parameter '{PlanLimits.Excerpt(name)}'; {known}."));
        }

        foreach (var (name, supplied) in given.Where(g => defined.Contains(g.Key) && g.Value is not null).OrderBy(g => g.Key, StringComparer.Ordinal))
        {
            // The length of every value, given or default, is checked below.
            if (supplied.Length <= MaxValueLength && supplied.Contains('\0', StringComparison.Ordinal))
            {
                errors.Add(new PlanError(Path(name), $"The value of '{name}' holds a NUL character, which no environment variable can."));
            }
        }

        foreach (var parameter in plan.Parameters)
        {
            var value = given.TryGetValue(parameter.Name, out var supplied) && supplied is not null ? supplied : parameter.Default;
            if (value is { Length: > PlanLimits.MaxParameterValueLength })
            {
                errors.Add(new PlanError(Path(parameter.Name),
                    $"Parameter '{parameter.Name}' is at most {PlanLimits.MaxParameterValueLength} characters; this value has {value.Length}."));
                continue;
            }

            if (parameter.Type == ParameterType.HostList && value is not null)
            {
                value = ResolveHostList(parameter, value, errors);
            }

            if (string.IsNullOrEmpty(value) && parameter.Required)
            {
                errors.Add(new PlanError(Path(parameter.Name), parameter.Type == ParameterType.HostList
                    ? $"Parameter '{parameter.Name}' is required: give at least one host."
                    : $"Parameter '{parameter.Name}' is required."));
                continue;
            }

            values[parameter.Name] = value ?? "";
        }

        return (values, errors);
    }

    /// <summary>The non-empty values of the plan's secret parameters, to be masked wherever text leaves the system.</summary>
    public static IReadOnlyList<string> SecretValues(PlanDefinition plan, IReadOnlyDictionary<string, string> values)
    {
        ArgumentNullException.ThrowIfNull(plan);
        ArgumentNullException.ThrowIfNull(values);
        return plan.Parameters
            .Where(p => p.Type == ParameterType.Secret && values.TryGetValue(p.Name, out var v) && !string.IsNullOrEmpty(v))
            .Select(p => values[p.Name])
            .Distinct(StringComparer.Ordinal)
            .ToList();
    }

    /// <summary>The values as an API reply shows them: every secret parameter's value replaced by <see cref="Mask"/>.</summary>
    public static IReadOnlyDictionary<string, string> Masked(PlanDefinition plan, IReadOnlyDictionary<string, string> values)
    {
        ArgumentNullException.ThrowIfNull(plan);
        ArgumentNullException.ThrowIfNull(values);
        var secrets = plan.Parameters.Where(p => p.Type == ParameterType.Secret).Select(p => p.Name).ToHashSet(StringComparer.Ordinal);
        return values.ToDictionary(kv => kv.Key, kv => secrets.Contains(kv.Key) ? Mask : kv.Value, StringComparer.Ordinal);
    }

    /// <summary>
    /// The plan as a reply shows it: every secret parameter's default replaced by <see cref="Mask"/>, like its values
    /// (<see cref="Masked"/>). Sending that plan back keeps the stored default (<see cref="RestoreMaskedDefaults"/>).
    /// </summary>
    public static PlanDefinition MaskDefaults(PlanDefinition plan)
    {
        ArgumentNullException.ThrowIfNull(plan);
        if (!plan.Parameters.Any(IsSecretWithDefault))
        {
            return plan;
        }

        return plan with { Parameters = [.. plan.Parameters.Select(p => IsSecretWithDefault(p) ? p with { Default = Mask } : p)] };
    }

    /// <summary>
    /// A plan sent back as <see cref="MaskDefaults"/> showed it: a secret parameter whose default is <see cref="Mask"/>
    /// keeps the default of the same secret parameter in <paramref name="previous"/> (the version it was read from).
    /// Without one to keep, the mask is an error at <c>parameters[i].default</c>: it is not a value anyone chose.
    /// </summary>
    public static (PlanDefinition Plan, IReadOnlyList<PlanError> Errors) RestoreMaskedDefaults(PlanDefinition plan, PlanDefinition? previous)
    {
        ArgumentNullException.ThrowIfNull(plan);
        var errors = new List<PlanError>();
        if (!plan.Parameters.Any(p => p.Type == ParameterType.Secret && p.Default == Mask))
        {
            return (plan, errors);
        }

        var parameters = plan.Parameters.ToList();
        for (var i = 0; i < parameters.Count; i++)
        {
            var parameter = parameters[i];
            if (parameter.Type != ParameterType.Secret || parameter.Default != Mask)
            {
                continue;
            }

            var kept = previous?.Parameters.FirstOrDefault(p => p.Name == parameter.Name && IsSecretWithDefault(p))?.Default;
            if (kept is null)
            {
                errors.Add(new PlanError($"parameters[{i}].default",
                    $"'{Mask}' is how the secret default of '{parameter.Name}' is shown, and the plan's latest version has no such default to keep; give the value itself."));
                continue;
            }

            parameters[i] = parameter with { Default = kept };
        }

        return (plan with { Parameters = parameters }, errors);
    }

    private static bool IsSecretWithDefault(ParameterDefinition parameter) =>
        parameter.Type == ParameterType.Secret && !string.IsNullOrEmpty(parameter.Default);

    /// <summary>
    /// Replaces every occurrence of a secret value in <paramref name="text"/> (a log line, an output) with
    /// <see cref="Mask"/>; longer secrets first, so that one secret inside another does not leave a piece showing.
    /// </summary>
    public static string MaskText(string text, IEnumerable<string> secretValues)
    {
        ArgumentNullException.ThrowIfNull(text);
        ArgumentNullException.ThrowIfNull(secretValues);
        foreach (var secret in secretValues.Where(s => !string.IsNullOrEmpty(s)).OrderByDescending(s => s.Length))
        {
            text = text.Replace(secret, Mask, StringComparison.Ordinal);
        }

        return text;
    }

    /// <summary><c>ORCH_PARAM_</c> and the name in upper case: <c>version</c> reaches a script as <c>ORCH_PARAM_VERSION</c>.</summary>
    public static string EnvironmentVariableName(string parameterName)
    {
        ArgumentException.ThrowIfNullOrEmpty(parameterName);
        return EnvironmentPrefix + parameterName.ToUpperInvariant();
    }

    /// <summary>The environment every script of a task instance gets: one <c>ORCH_PARAM_&lt;NAME&gt;</c> per parameter, secrets included.</summary>
    public static IReadOnlyDictionary<string, string> EnvironmentVariables(PlanDefinition plan, IReadOnlyDictionary<string, string> values)
    {
        ArgumentNullException.ThrowIfNull(plan);
        ArgumentNullException.ThrowIfNull(values);
        var environment = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var parameter in plan.Parameters)
        {
            environment[EnvironmentVariableName(parameter.Name)] = values.TryGetValue(parameter.Name, out var value) ? value : "";
        }

        return environment;
    }

    private static string ResolveHostList(ParameterDefinition parameter, string value, List<PlanError> errors)
    {
        var hosts = HostNames.Split(value);
        foreach (var host in hosts.Where(h => !HostNames.IsValid(h)))
        {
            errors.Add(new PlanError(Path(parameter.Name), $"'{PlanLimits.Excerpt(host)}' in parameter '{parameter.Name}' is not a valid host name."));
        }

        return string.Join(',', hosts);
    }

    private static string Path(string name) => $"parameters.{name}";
}
