using Orchestrator.Plans.Model;
using Orchestrator.Plans.Parsing;
using Orchestrator.Plans.Rolling;

namespace Orchestrator.Plans.Validation;

public static partial class PlanValidator
{
    public const int MaxRetryLimit = PlanLimits.MaxRetryLimit;

    private static void ValidateExecution(StepContext context, ExecutionSpec execution, List<PlanError> errors)
    {
        var path = context.Field("execution");
        if (context.RunsOnClusters)
        {
            // What does not apply across clusters is refused once, here; the rest is checked as for hosts.
            ValidateContainerExecution(context, execution, errors);
            execution = execution with { Parallelism = null, Rolling = null, SuccessPolicy = null, ExitCodes = [] };
        }

        if (execution.Parallelism is < 1)
        {
            errors.Add(new PlanError(PlanPath.Field(path, "parallelism"), $"parallelism must be at least 1, not {execution.Parallelism}."));
        }

        if (execution.Rolling is { } rolling)
        {
            var rollingPath = PlanPath.Field(path, "rolling");
            if (Length(rolling.Expression, PlanPath.Field(rollingPath, "expression"), PlanLimits.MaxRollingExpressionLength, errors)
                && !RollingExpression.TryParse(rolling.Expression, out _, out var error))
            {
                errors.Add(new PlanError(PlanPath.Field(rollingPath, "expression"), error));
            }

            if (!Enum.IsDefined(rolling.Mode))
            {
                errors.Add(new PlanError(PlanPath.Field(rollingPath, "mode"), $"Unknown rolling mode {(int)rolling.Mode}."));
            }
        }

        var budget = execution.FailureBudget;
        if (budget.Value < 0 || (budget.IsPercent && budget.Value > 100))
        {
            errors.Add(new PlanError(PlanPath.Field(path, "failureBudget"), $"failureBudget must be a count of 0 or more, or 0% to 100%; not {budget}."));
        }

        if (execution.SuccessPolicy is { } success && (success.Value < 1 || (success.IsPercent && success.Value > 100)))
        {
            errors.Add(new PlanError(PlanPath.Field(path, "successPolicy"), $"successPolicy must be a count of 1 or more, or 1% to 100%; not {success}."));
        }

        Duration(execution.TargetTimeout, PlanPath.Field(path, "targetTimeout"), PlanLimits.MaxTargetTimeout, errors);
        Duration(execution.Deadline, PlanPath.Field(path, "deadline"), PlanLimits.MaxDeadline, errors);
        ValidateRetry(execution.Retry ?? new RetryPolicy(), PlanPath.Field(path, "retry"), errors);

        if (context.Step.Kind == StepKind.Http && execution.ExitCodes is { Count: > 0 })
        {
            errors.Add(new PlanError(PlanPath.Field(path, "exitCodes"),
                "An http step has no exit code: the response status decides, see http.expectStatus. Remove exitCodes (or podFailurePolicy)."));
        }

        var exitCodes = execution.ExitCodes ?? [];
        var counted = Counted(exitCodes.Count, PlanPath.Field(path, "exitCodes"), PlanLimits.MaxExitCodeRules, "exit-code rules", errors);
        for (var i = 0; i < counted; i++)
        {
            ValidateExitCodeRule(exitCodes[i], PlanPath.Item(PlanPath.Field(path, "exitCodes"), i), errors);
        }
    }

    private static void ValidateRetry(RetryPolicy retry, string path, List<PlanError> errors)
    {
        if (retry.Limit is < 0 or > MaxRetryLimit)
        {
            errors.Add(new PlanError(PlanPath.Field(path, "limit"), $"limit must be 0 to {MaxRetryLimit}, not {retry.Limit}."));
        }

        var initialOk = Duration(retry.InitialBackoff, PlanPath.Field(path, "initialBackoff"), PlanLimits.MaxBackoff, errors);
        var maxOk = Duration(retry.MaxBackoff, PlanPath.Field(path, "maxBackoff"), PlanLimits.MaxBackoff, errors);
        if (initialOk && maxOk && retry.MaxBackoff < retry.InitialBackoff)
        {
            errors.Add(new PlanError(PlanPath.Field(path, "maxBackoff"),
                $"maxBackoff ({DurationFormat.Format(retry.MaxBackoff)}) is shorter than initialBackoff ({DurationFormat.Format(retry.InitialBackoff)})."));
        }

        if (!double.IsFinite(retry.Factor) || retry.Factor < 1 || retry.Factor > PlanLimits.MaxBackoffFactor)
        {
            errors.Add(new PlanError(PlanPath.Field(path, "factor"),
                $"factor must be at least 1 (1 keeps the back-off constant) and at most {PlanLimits.MaxBackoffFactor}, not {retry.Factor}."));
        }
    }

    private static void ValidateExitCodeRule(ExitCodeRule rule, string path, List<PlanError> errors)
    {
        if (rule is null)
        {
            errors.Add(new PlanError(path, "An exit-code rule is missing."));
            return;
        }

        if (rule.Codes.Count == 0)
        {
            errors.Add(new PlanError(PlanPath.Field(path, "codes"), "An exit-code rule needs at least one code."));
        }

        var counted = Counted(rule.Codes.Count, PlanPath.Field(path, "codes"), PlanLimits.MaxExitCodesPerRule, "codes", errors);
        for (var i = 0; i < counted; i++)
        {
            if (rule.Codes[i] is < 0 or > 255)
            {
                errors.Add(new PlanError(PlanPath.Item(PlanPath.Field(path, "codes"), i), $"Exit codes are 0 to 255, not {rule.Codes[i]}."));
            }
        }

        if (!Enum.IsDefined(rule.Operator))
        {
            errors.Add(new PlanError(PlanPath.Field(path, "operator"), $"Unknown exit-code operator {(int)rule.Operator}."));
        }

        if (!Enum.IsDefined(rule.Action))
        {
            errors.Add(new PlanError(PlanPath.Field(path, "action"), $"Unknown exit-code action {(int)rule.Action}."));
        }
    }
}
