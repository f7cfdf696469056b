using System.Text.RegularExpressions;
using Orchestrator.Plans.Model;
using Orchestrator.Plans.Parsing;
using Orchestrator.Plans.Templates;

namespace Orchestrator.Plans.Validation;

/// <summary>The rules of file distribution and approval steps.</summary>
public static partial class PlanValidator
{
    private static void ValidateFiles(StepContext context, FileDistributionSpec files, List<PlanError> errors)
    {
        var path = context.Field("files");
        if (files.Sources.Count == 0)
        {
            errors.Add(new PlanError(PlanPath.Field(path, "sources"), "A file distribution needs at least one source."));
        }

        var names = new HashSet<string>(StringComparer.Ordinal);
        var counted = Counted(files.Sources.Count, PlanPath.Field(path, "sources"), PlanLimits.MaxFileSources, "sources", errors);
        for (var i = 0; i < counted; i++)
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
            errors.Add(new PlanError(directoryPath, $"'{PlanLimits.Excerpt(files.TargetDirectory)}' is not an absolute path."));
        }
        else if (Length(files.TargetDirectory, directoryPath, PlanLimits.MaxPathLength, errors))
        {
            ValidateTemplate(context, directoryPath, files.TargetDirectory, errors);
        }

        if (files.Mode is { } mode && !FileMode().IsMatch(mode))
        {
            errors.Add(new PlanError(PlanPath.Field(path, "mode"), $"'{PlanLimits.Excerpt(mode)}' is not a file mode; write octal with a leading 0, such as 0644."));
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
                errors.Add(new PlanError(PlanPath.Field(path, "sha256"), $"'{PlanLimits.Excerpt(sha256)}' is not a SHA-256: 64 hexadecimal digits."));
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
            errors.Add(new PlanError(PlanPath.Field(path, "name"), $"'{PlanLimits.Excerpt(given)}' is not a file name: no '/' or '\\', not '.' or '..'."));
        }
        else if (Length(source.Name, PlanPath.Field(path, "name"), PlanLimits.MaxFileNameLength, errors)
                 && name is { Length: > 0 } && !TemplateRenderer.HasPlaceholders(name) && !names.Add(name))
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
            if (Length(host, hostPath, PlanLimits.MaxPathLength, errors))
            {
                ValidateTemplate(context, hostPath, host, errors);
            }
        }
        else if (!HostNames.IsValid(host))
        {
            errors.Add(new PlanError(hostPath, $"'{PlanLimits.Excerpt(host)}' is not a valid host name."));
        }

        var filePath = PlanPath.Field(path, "path");
        if (source.Path is not { } file)
        {
            errors.Add(new PlanError(filePath, "A file taken from a host needs its path."));
        }
        else if (!IsAbsoluteOrTemplate(file))
        {
            errors.Add(new PlanError(filePath, $"'{PlanLimits.Excerpt(file)}' is not an absolute path."));
        }
        else if (Length(file, filePath, PlanLimits.MaxPathLength, errors))
        {
            ValidateTemplate(context, filePath, file, errors);
        }
    }

    /// <summary>The roles an approver entry <c>role:&lt;name&gt;</c> may name (the API's roles).</summary>
    private static readonly string[] ApproverRoles = ["viewer", "operator", "approver", "admin"];

    private static void ValidateApproval(StepContext context, ApprovalSpec approval, List<PlanError> errors)
    {
        var path = context.Field("approval");
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var approversPath = PlanPath.Field(path, "approvers");
        var counted = Counted(approval.Approvers.Count, approversPath, PlanLimits.MaxApprovers, "approvers", errors);
        for (var i = 0; i < counted; i++)
        {
            var approver = approval.Approvers[i];
            var approverPath = PlanPath.Item(approversPath, i);
            if (string.IsNullOrWhiteSpace(approver))
            {
                errors.Add(new PlanError(approverPath, "An approver cannot be empty."));
            }
            else if (Length(approver, approverPath, PlanLimits.MaxApproverLength, errors) && !seen.Add(approver))
            {
                errors.Add(new PlanError(approverPath, $"Approver '{approver}' is listed twice."));
            }
            else if (approver.StartsWith("role:", StringComparison.Ordinal) && !ApproverRoles.Contains(approver[5..]))
            {
                errors.Add(new PlanError(approverPath, $"'{approver}' names no role; use role:viewer, role:operator, role:approver or role:admin."));
            }
        }

        var requiredPath = PlanPath.Field(path, "required");
        if (approval.Required < 1)
        {
            errors.Add(new PlanError(requiredPath, $"required must be at least 1, not {approval.Required}."));
        }
        // A listed role may be held by any number of people; only a list of principals bounds who can approve.
        else if (approval.Approvers.Count > 0 && !approval.Approvers.Any(a => a.StartsWith("role:", StringComparison.Ordinal))
            && approval.Required > approval.Approvers.Count)
        {
            errors.Add(new PlanError(requiredPath,
                $"required is {approval.Required} but only {approval.Approvers.Count} approver(s) are listed, so the step could never pass."));
        }

        Duration(approval.Timeout, PlanPath.Field(path, "timeout"), PlanLimits.MaxApprovalTimeout, errors);

        if (!Enum.IsDefined(approval.OnTimeout))
        {
            errors.Add(new PlanError(PlanPath.Field(path, "onTimeout"), $"Unknown timeout action {(int)approval.OnTimeout}."));
        }

        if (approval.Message is { } message && Length(message, PlanPath.Field(path, "message"), PlanLimits.MaxMessageLength, errors))
        {
            ValidateTemplate(context, PlanPath.Field(path, "message"), message, errors);
        }
    }

    [GeneratedRegex("^0[0-7]{3}$", RegexOptions.CultureInvariant)]
    private static partial Regex FileMode();

    [GeneratedRegex("^[0-9A-Fa-f]{64}$", RegexOptions.CultureInvariant)]
    private static partial Regex Sha256();
}
