using Orchestrator.Plans.Model;
using Orchestrator.Plans.Parsing;
using Orchestrator.Plans.Templates;

namespace Orchestrator.Plans.Validation;

public static partial class PlanValidator
{
    /// <summary>
    /// A template may refer only to what will have a value when the step runs: defined parameters, earlier steps
    /// that ran on hosts, and the per-target values (<c>host</c>, <c>attempt</c>) in steps that have targets.
    /// </summary>
    private static void ValidateTemplate(StepContext context, string path, string text, List<PlanError> errors)
    {
        IReadOnlyList<string> references;
        try
        {
            references = TemplateRenderer.References(text);
        }
        catch (FormatException e)
        {
            errors.Add(new PlanError(path, e.Message));
            return;
        }

        if (references.Count > PlanLimits.MaxPlaceholdersPerField)
        {
            errors.Add(new PlanError(path, $"At most {PlanLimits.MaxPlaceholdersPerField} ${{{{ ... }}}} placeholders in one field; this one has {references.Count}."));
            return;
        }

        foreach (var reference in references.Distinct(StringComparer.Ordinal))
        {
            if (reference.Length > PlanLimits.MaxTemplateExpressionLength)
            {
                errors.Add(new PlanError(path, $"A template expression is at most {PlanLimits.MaxTemplateExpressionLength} characters; '{PlanLimits.Excerpt(reference)}' is longer."));
                continue;
            }

            if (!TemplateExpression.TryParse(reference, out var expression, out var error))
            {
                errors.Add(new PlanError(path, error));
                continue;
            }

            switch (expression.Kind)
            {
                case TemplateExpressionKind.Parameter when !context.Parameters.ContainsKey(expression.Name!):
                    errors.Add(new PlanError(path, $"'{reference}': no parameter is named '{expression.Name}'.{Known(context.Parameters.Keys)}"));
                    break;
                case TemplateExpressionKind.StepOutput or TemplateExpressionKind.StepSucceededHosts or TemplateExpressionKind.StepFailedHosts:
                    ValidateStepReference(context, path, reference, expression, errors);
                    break;
                case TemplateExpressionKind.Host when context.RunsOnClusters:
                    errors.Add(new PlanError(path, $"'{reference}' has no value in a container step, which runs on clusters, not hosts."));
                    break;
                case TemplateExpressionKind.Attempt when context.RunsOnClusters:
                    break;
                case TemplateExpressionKind.Host or TemplateExpressionKind.Attempt when !context.RunsOnHosts:
                    errors.Add(new PlanError(path, $"'{reference}' has a value only in script, file, http and container steps, which have targets."));
                    break;
            }
        }
    }

    private static void ValidateStepReference(StepContext context, string path, string reference, TemplateExpression expression, List<PlanError> errors)
    {
        var stepErrors = new List<PlanError>();
        var step = ReferencedStep(context, expression.Step!, path, stepErrors);
        foreach (var stepError in stepErrors)
        {
            errors.Add(stepError with { Message = $"'{reference}': {stepError.Message}" });
        }

        if (step is { Kind: StepKind.Approval or StepKind.Container })
        {
            var what = expression.Kind == TemplateExpressionKind.StepOutput ? "outputs" : "hosts";
            var kind = step.Kind == StepKind.Approval ? "an approval" : "a container";
            errors.Add(new PlanError(path, $"'{reference}': step '{step.Name}' is {kind} step and has no {what}."));
        }
    }
}
