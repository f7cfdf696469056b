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
            errors.Add(new PlanError(path, $"'{name}' is not a step name: letters, digits, '_' and '-', at most {MaxStepNameLength} characters."));
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
        if (!context.RunsOnHosts)
        {
            if (targets is not null)
            {
                errors.Add(new PlanError(path, "An approval step runs on no hosts; remove 'targets'."));
            }

            return;
        }

        if (targets is null || (targets.Hosts.Count == 0 && targets.Selector is null && targets.Parameter is null && targets.FromStep is null))
        {
            errors.Add(new PlanError(path, $"A {EnumNames.Format(context.Step.Kind)} step needs targets: give hosts, selector, parameter or fromStep."));
            return;
        }

        for (var i = 0; i < targets.Hosts.Count; i++)
        {
            if (!HostNames.IsValid(targets.Hosts[i]))
            {
                errors.Add(new PlanError(PlanPath.Item(PlanPath.Field(path, "hosts"), i), $"'{targets.Hosts[i]}' is not a valid host name."));
            }
        }

        if (targets.Selector is { } selector && !LabelSelector.TryParse(selector, out _, out var selectorError))
        {
            errors.Add(new PlanError(PlanPath.Field(path, "selector"), selectorError));
        }

        if (targets.Parameter is { } parameter)
        {
            var parameterPath = PlanPath.Field(path, "parameter");
            if (!context.Parameters.TryGetValue(parameter, out var definition))
            {
                errors.Add(new PlanError(parameterPath, $"No parameter is named '{parameter}'.{Known(context.Parameters.Keys)}"));
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
        else if (ReferencedStep(context, from.Step, stepPath, errors) is { Kind: StepKind.Approval } referenced)
        {
            errors.Add(new PlanError(stepPath, $"Step '{referenced.Name}' is an approval step; it ran on no hosts."));
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
            : $"No earlier step is named '{name}'.{Known(context.Earlier.Select(s => s.Name))}"));
        return null;
    }

    private static void ValidateScript(StepContext context, ScriptSpec script, List<PlanError> errors)
    {
        var path = context.Field("script");
        if (!Interpreters.Contains(script.Interpreter))
        {
            errors.Add(new PlanError(PlanPath.Field(path, "interpreter"),
                $"Unknown interpreter '{script.Interpreter}'; use one of {string.Join(", ", Interpreters)}."));
        }

        if (string.IsNullOrWhiteSpace(script.Source))
        {
            errors.Add(new PlanError(PlanPath.Field(path, "source"), "A script needs a source (or a file)."));
        }
        else
        {
            ValidateTemplate(context, PlanPath.Field(path, "source"), script.Source, errors);
        }

        for (var i = 0; i < script.Args.Count; i++)
        {
            ValidateTemplate(context, PlanPath.Item(PlanPath.Field(path, "args"), i), script.Args[i], errors);
        }

        foreach (var (name, value) in script.Env)
        {
            var envPath = PlanPath.Field(PlanPath.Field(path, "env"), name);
            if (!EnvironmentName().IsMatch(name))
            {
                errors.Add(new PlanError(envPath, $"'{name}' is not an environment variable name: letters, digits and '_', not starting with a digit."));
            }
            else if (name.StartsWith("ORCH_", StringComparison.OrdinalIgnoreCase))
            {
                errors.Add(new PlanError(envPath, $"'{name}': names starting with ORCH_ are set by the orchestrator."));
            }

            ValidateTemplate(context, envPath, value, errors);
        }

        if (script.WorkingDirectory is { } directory)
        {
            var directoryPath = PlanPath.Field(path, "workingDirectory");
            if (string.IsNullOrWhiteSpace(directory))
            {
                errors.Add(new PlanError(directoryPath, "Leave workingDirectory out rather than empty."));
            }

            ValidateTemplate(context, directoryPath, directory, errors);
        }
    }

    private static void ValidateFiles(StepContext context, FileDistributionSpec files, List<PlanError> errors)
    {
        var path = context.Field("files");
        if (files.Sources.Count == 0)
        {
            errors.Add(new PlanError(PlanPath.Field(path, "sources"), "A file distribution needs at least one source."));
        }

        var names = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < files.Sources.Count; i++)
        {
            var sourcePath = PlanPath.Item(PlanPath.Field(path, "sources"), i);
            if (files.Sources[i] is { } source)
            {
                ValidateFileSource(context, source, sourcePath, names, errors);
            }
        }

        var directoryPath = PlanPath.Field(path, "targetDirectory");
        if (string.IsNullOrWhiteSpace(files.TargetDirectory))
        {
            errors.Add(new PlanError(directoryPath, "A file distribution needs a targetDirectory."));
        }
        else if (!IsAbsoluteOrTemplate(files.TargetDirectory))
        {
            errors.Add(new PlanError(directoryPath, $"'{files.TargetDirectory}' is not an absolute path."));
        }
        else
        {
            ValidateTemplate(context, directoryPath, files.TargetDirectory, errors);
        }

        if (files.Mode is { } mode && !FileMode().IsMatch(mode))
        {
            errors.Add(new PlanError(PlanPath.Field(path, "mode"), $"'{mode}' is not a file mode; write octal with a leading 0, such as 0644."));
        }
    }

    private static void ValidateFileSource(StepContext context, FileSource source, string path, HashSet<string> names, List<PlanError> errors)
    {
        var fromHost = source.FromHost is not null || source.Path is not null;
        if (source.Sha256 is not null && fromHost)
        {
            errors.Add(new PlanError(path, "Give either sha256 (an uploaded file) or fromHost and path, not both."));
        }
        else if (source.Sha256 is { } sha256)
        {
            if (!Sha256().IsMatch(sha256))
            {
                errors.Add(new PlanError(PlanPath.Field(path, "sha256"), $"'{sha256}' is not a SHA-256: 64 hexadecimal digits."));
            }

            if (source.Name is null)
            {
                errors.Add(new PlanError(PlanPath.Field(path, "name"), "An uploaded file needs a name to be written under."));
            }
        }
        else if (!fromHost)
        {
            errors.Add(new PlanError(path, "Give sha256 (an uploaded file) or fromHost and path."));
        }
        else
        {
            ValidateHostSide(context, source, path, errors);
        }

        var name = source.Name ?? (source.Path is { } p ? p[(p.LastIndexOfAny(['/', '\\']) + 1)..] : null);
        if (source.Name is { } given && (given.Length == 0 || given is "." or ".." || given.IndexOfAny(['/', '\\', '\0']) >= 0))
        {
            errors.Add(new PlanError(PlanPath.Field(path, "name"), $"'{given}' is not a file name: no '/' or '\\', not '.' or '..'."));
        }
        else if (name is { Length: > 0 } && !TemplateRenderer.HasPlaceholders(name) && !names.Add(name))
        {
            errors.Add(new PlanError(path, $"Another source of this step is also written as '{name}'."));
        }
    }

    private static void ValidateHostSide(StepContext context, FileSource source, string path, List<PlanError> errors)
    {
        var hostPath = PlanPath.Field(path, "fromHost");
        if (source.FromHost is not { } host)
        {
            errors.Add(new PlanError(hostPath, "A file taken from a host needs fromHost."));
        }
        else if (TemplateRenderer.HasPlaceholders(host))
        {
            ValidateTemplate(context, hostPath, host, errors);
        }
        else if (!HostNames.IsValid(host))
        {
            errors.Add(new PlanError(hostPath, $"'{host}' is not a valid host name."));
        }

        var filePath = PlanPath.Field(path, "path");
        if (source.Path is not { } file)
        {
            errors.Add(new PlanError(filePath, "A file taken from a host needs its path."));
        }
        else if (!IsAbsoluteOrTemplate(file))
        {
            errors.Add(new PlanError(filePath, $"'{file}' is not an absolute path."));
        }
        else
        {
            ValidateTemplate(context, filePath, file, errors);
        }
    }

    private static void ValidateApproval(StepContext context, ApprovalSpec approval, List<PlanError> errors)
    {
        var path = context.Field("approval");
        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < approval.Approvers.Count; i++)
        {
            var approver = approval.Approvers[i];
            var approverPath = PlanPath.Item(PlanPath.Field(path, "approvers"), i);
            if (string.IsNullOrWhiteSpace(approver))
            {
                errors.Add(new PlanError(approverPath, "An approver cannot be empty."));
            }
            else if (!seen.Add(approver))
            {
                errors.Add(new PlanError(approverPath, $"Approver '{approver}' is listed twice."));
            }
        }

        var requiredPath = PlanPath.Field(path, "required");
        if (approval.Required < 1)
        {
            errors.Add(new PlanError(requiredPath, $"required must be at least 1, not {approval.Required}."));
        }
        else if (approval.Approvers.Count > 0 && approval.Required > approval.Approvers.Count)
        {
            errors.Add(new PlanError(requiredPath,
                $"required is {approval.Required} but only {approval.Approvers.Count} approver(s) are listed, so the step could never pass."));
        }

        if (approval.Timeout is { } timeout && timeout <= TimeSpan.Zero)
        {
            errors.Add(new PlanError(PlanPath.Field(path, "timeout"), "timeout must be longer than zero."));
        }

        if (!Enum.IsDefined(approval.OnTimeout))
        {
            errors.Add(new PlanError(PlanPath.Field(path, "onTimeout"), $"Unknown timeout action {(int)approval.OnTimeout}."));
        }

        if (approval.Message is { } message)
        {
            ValidateTemplate(context, PlanPath.Field(path, "message"), message, errors);
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

    [GeneratedRegex("^0[0-7]{3}$", RegexOptions.CultureInvariant)]
    private static partial Regex FileMode();

    [GeneratedRegex("^[0-9A-Fa-f]{64}$", RegexOptions.CultureInvariant)]
    private static partial Regex Sha256();
}
