using Orchestrator.Plans.Model;
using YamlDotNet.RepresentationModel;

namespace Orchestrator.Plans.Parsing;

internal sealed partial class PlanReader
{
    private static readonly string[] ExecutionFields =
    [
        "parallelism", "rolling", "failureBudget", "successPolicy", "targetTimeout", "deadline", "retry", "exitCodes",
        // Kubernetes Job names for the same settings: PlanReader.Kubernetes.cs.
        "completions", "backoffLimit", "activeDeadlineSeconds", "podFailurePolicy",
    ];

    private static readonly string[] RollingFields = ["expression", "mode"];
    private static readonly string[] RetryFields = ["limit", "initialBackoff", "maxBackoff", "factor"];
    private static readonly string[] ExitCodeFields = ["codes", "operator", "action"];

    /// <summary>
    /// The step's execution. For a container step (<paramref name="container"/>) the Kubernetes Job names are refused
    /// here, pointing at <c>container</c>: there they go into the Job itself, where Kubernetes enforces them.
    /// </summary>
    private ExecutionSpec ReadExecution(YamlNode node, string path, bool container)
    {
        var f = reader.Mapping(node, path, "execution", ExecutionFields);
        if (f is null)
        {
            return new ExecutionSpec();
        }

        var spec = new ExecutionSpec
        {
            Parallelism = f.Int("parallelism"),
            Rolling = f.TryGet("rolling", out var rolling) ? ReadRolling(rolling, f.PathOf("rolling")) : null,
            FailureBudget = f.Quantity("failureBudget") ?? Quantity.Zero,
            SuccessPolicy = f.Quantity("successPolicy"),
            TargetTimeout = f.Duration("targetTimeout"),
            Deadline = f.Duration("deadline"),
            Retry = f.TryGet("retry", out var retry) ? ReadRetry(retry, f.PathOf("retry")) : new(),
            ExitCodes = f.List("exitCodes", ReadExitCodeRule),
        };
        if (container)
        {
            foreach (var field in new[] { "completions", "backoffLimit", "activeDeadlineSeconds", "podFailurePolicy" })
            {
                if (f.TryGet(field, out var jobField))
                {
                    reader.Error(f.PathOf(field), jobField,
                        $"In a container step, '{field}' is a field of the Job, which Kubernetes enforces: write it under 'container' (container.{field}).");
                }
            }

            return spec;
        }

        return ReadKubernetesFields(f, spec);
    }

    /// <summary><c>rolling: "1 10%"</c> is short for <c>rolling: {expression: "1 10%"}</c>.</summary>
    private RollingSpec? ReadRolling(YamlNode node, string path)
    {
        if (node is YamlScalarNode)
        {
            return new RollingSpec { Expression = reader.String(node, path) ?? "" };
        }

        var f = reader.Mapping(node, path, "rolling", RollingFields);
        if (f is null)
        {
            return null;
        }

        return new RollingSpec
        {
            Expression = f.String("expression") ?? "",
            Mode = f.Enum<RollingMode>("mode") ?? RollingMode.PauseOnFailure,
        };
    }

    private RetryPolicy ReadRetry(YamlNode node, string path)
    {
        var defaults = new RetryPolicy();
        var f = reader.Mapping(node, path, "retry", RetryFields);
        if (f is null)
        {
            return defaults;
        }

        return new RetryPolicy
        {
            Limit = f.Int("limit") ?? defaults.Limit,
            InitialBackoff = f.Duration("initialBackoff") ?? defaults.InitialBackoff,
            MaxBackoff = f.Duration("maxBackoff") ?? defaults.MaxBackoff,
            Factor = f.Double("factor") ?? defaults.Factor,
        };
    }

    private ExitCodeRule? ReadExitCodeRule(YamlNode node, string path)
    {
        var f = reader.Mapping(node, path, "an exit-code rule", ExitCodeFields);
        if (f is null)
        {
            return null;
        }

        return new ExitCodeRule
        {
            Codes = f.List("codes", (item, itemPath) => reader.Int(item, itemPath) is { } code ? new int?(code) : null)
                .Select(code => code!.Value)
                .ToList(),
            Operator = f.Enum<ExitCodeOperator>("operator") ?? ExitCodeOperator.In,
            Action = f.Enum<ExitCodeAction>("action") ?? ExitCodeAction.Count,
        };
    }
}
