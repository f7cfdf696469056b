using System.Globalization;
using Orchestrator.Plans.Model;
using Orchestrator.Plans.Parsing;

namespace Orchestrator.Plans.Serialization;

/// <summary>A plan as the tree both output formats write: fields in documented order, defaults left out.</summary>
internal static partial class PlanDocument
{
    private static readonly RetryPolicy DefaultRetry = new();

    public static MapNode From(PlanDefinition plan)
    {
        var map = new MapNode();
        map.Text("name", plan.Name);
        map.Text("namespace", plan.Namespace);
        map.Text("description", plan.Description);
        map.List("parameters", plan.Parameters.Select(Parameter));
        map.List("steps", plan.Steps.Select(Step));
        map.Duration("ttlAfterFinished", plan.TtlAfterFinished);
        return map;
    }

    private static MapNode Parameter(ParameterDefinition parameter)
    {
        var map = new MapNode();
        map.Text("name", parameter.Name);
        if (parameter.Type != ParameterType.String)
        {
            map.Text("type", EnumNames.Format(parameter.Type));
        }

        if (parameter.Required)
        {
            map.Add("required", ScalarNode.Bool(true));
        }

        map.Text("default", parameter.Default);
        map.Text("description", parameter.Description);
        return map;
    }

    private static MapNode Step(StepDefinition step)
    {
        var map = new MapNode();
        map.Text("name", step.Name);
        var specs = new[] { (step.Script is not null, StepKind.Script), (step.Files is not null, StepKind.FileDistribution), (step.Approval is not null, StepKind.Approval), (step.Http is not null, StepKind.Http), (step.Container is not null, StepKind.Container) };
        var given = specs.Where(s => s.Item1).Select(s => s.Item2).ToList();
        if (given.Count != 1 || given[0] != step.Kind)
        {
            // Left out, the kind is read from the one spec given; written only when that would not give it back.
            map.Text("kind", EnumNames.Format(step.Kind));
        }

        if (step.Targets is { } targets)
        {
            map.Add("targets", Targets(targets));
        }

        if (step.Script is { } script)
        {
            map.Add("script", Script(script));
        }

        if (step.Files is { } files)
        {
            map.Add("files", Files(files));
        }

        if (step.Approval is { } approval)
        {
            map.Add("approval", Approval(approval));
        }

        if (step.Http is { } http)
        {
            map.Add("http", Http(http));
        }

        if (step.Container is { } container)
        {
            map.Add("container", Container(container));
        }

        if (Execution(step.Execution) is { Fields.Count: > 0 } execution)
        {
            map.Add("execution", execution);
        }

        if (step.ContinueOnError)
        {
            map.Add("continueOnError", ScalarNode.Bool(true));
        }

        return map;
    }

    private static MapNode Targets(TargetSpec targets)
    {
        var map = new MapNode();
        map.List("hosts", targets.Hosts.Select(ScalarNode.String));
        map.Text("selector", targets.Selector);
        map.Text("parameter", targets.Parameter);
        if (targets.FromStep is { } from)
        {
            var fromMap = new MapNode();
            fromMap.Text("step", from.Step);
            if (from.Outcome != StepHostsOutcome.Succeeded)
            {
                fromMap.Text("outcome", EnumNames.Format(from.Outcome));
            }

            map.Add("fromStep", fromMap);
        }

        map.List("clusters", targets.Clusters.Select(ScalarNode.String));
        map.Text("clusterSelector", targets.ClusterSelector);
        if (targets.Dispatch is { } dispatch)
        {
            map.Text("dispatch", EnumNames.Format(dispatch));
        }

        return map;
    }

    private static MapNode Script(ScriptSpec script)
    {
        var map = new MapNode();
        if (script.Interpreter != "sh")
        {
            map.Text("interpreter", script.Interpreter);
        }

        map.Text("source", script.Source);
        map.List("args", script.Args.Select(ScalarNode.String));
        if (script.Env.Count > 0)
        {
            var env = new MapNode();
            foreach (var (name, value) in script.Env.OrderBy(kv => kv.Key, StringComparer.Ordinal))
            {
                env.Text(name, value);
            }

            map.Add("env", env);
        }

        map.Text("workingDirectory", script.WorkingDirectory);
        return map;
    }

    private static MapNode Files(FileDistributionSpec files)
    {
        var map = new MapNode();
        map.List("sources", files.Sources.Select(source =>
        {
            var item = new MapNode();
            item.Text("name", source.Name);
            item.Text("sha256", source.Sha256);
            item.Text("fromHost", source.FromHost);
            item.Text("path", source.Path);
            return item;
        }));
        map.Text("targetDirectory", files.TargetDirectory);
        map.Text("mode", files.Mode);
        return map;
    }

    private static MapNode Approval(ApprovalSpec approval)
    {
        var map = new MapNode();
        map.List("approvers", approval.Approvers.Select(ScalarNode.String));
        if (approval.Required != 1)
        {
            map.Add("required", ScalarNode.Int(approval.Required));
        }

        map.Duration("timeout", approval.Timeout);
        if (approval.OnTimeout != ApprovalTimeoutAction.Reject)
        {
            map.Text("onTimeout", EnumNames.Format(approval.OnTimeout));
        }

        map.Text("message", approval.Message);
        return map;
    }

    private static MapNode Http(HttpSpec http)
    {
        var map = new MapNode();
        if (http.Method != "GET")
        {
            map.Text("method", http.Method);
        }

        map.Text("url", http.Url);
        if (http.Headers.Count > 0)
        {
            var headers = new MapNode();
            foreach (var (name, value) in http.Headers.OrderBy(kv => kv.Key, StringComparer.Ordinal))
            {
                headers.Text(name, value);
            }

            map.Add("headers", headers);
        }

        map.Text("body", http.Body);
        map.List("expectStatus", http.ExpectStatus.Select(ScalarNode.String));
        map.Duration("timeout", http.Timeout);
        if (http.FollowRedirects is { } follow)
        {
            map.Add("followRedirects", ScalarNode.Bool(follow));
        }

        return map;
    }

    private static MapNode Execution(ExecutionSpec execution)
    {
        var map = new MapNode();
        if (execution.Parallelism is { } parallelism)
        {
            map.Add("parallelism", ScalarNode.Int(parallelism));
        }

        if (execution.Rolling is { } rolling)
        {
            var rollingMap = new MapNode();
            rollingMap.Text("expression", rolling.Expression);
            if (rolling.Mode != RollingMode.PauseOnFailure)
            {
                rollingMap.Text("mode", EnumNames.Format(rolling.Mode));
            }

            map.Add("rolling", rollingMap);
        }

        if (execution.FailureBudget != Quantity.Zero)
        {
            map.Add("failureBudget", QuantityValue(execution.FailureBudget));
        }

        if (execution.SuccessPolicy is { } success)
        {
            map.Add("successPolicy", QuantityValue(success));
        }

        map.Duration("targetTimeout", execution.TargetTimeout);
        map.Duration("deadline", execution.Deadline);
        if (Retry(execution.Retry) is { Fields.Count: > 0 } retry)
        {
            map.Add("retry", retry);
        }

        map.List("exitCodes", execution.ExitCodes.Select(rule =>
        {
            var item = new MapNode();
            item.Add("codes", new ListNode(rule.Codes.Select(ScalarNode.Int)));
            if (rule.Operator != ExitCodeOperator.In)
            {
                item.Text("operator", EnumNames.Format(rule.Operator));
            }

            if (rule.Action != ExitCodeAction.Count)
            {
                item.Text("action", EnumNames.Format(rule.Action));
            }

            return item;
        }));
        return map;
    }

    private static MapNode Retry(RetryPolicy retry)
    {
        var map = new MapNode();
        if (retry.Limit != DefaultRetry.Limit)
        {
            map.Add("limit", ScalarNode.Int(retry.Limit));
        }

        if (retry.InitialBackoff != DefaultRetry.InitialBackoff)
        {
            map.Duration("initialBackoff", retry.InitialBackoff);
        }

        if (retry.MaxBackoff != DefaultRetry.MaxBackoff)
        {
            map.Duration("maxBackoff", retry.MaxBackoff);
        }

        if (retry.Factor.CompareTo(DefaultRetry.Factor) != 0)
        {
            map.Add("factor", new ScalarNode(retry.Factor.ToString("R", CultureInfo.InvariantCulture), ScalarType.Number));
        }

        return map;
    }

    private static ScalarNode QuantityValue(Quantity quantity) =>
        quantity.IsPercent ? ScalarNode.String(quantity.ToString()) : ScalarNode.Int(quantity.Value);
}

internal abstract record DocumentNode;

internal enum ScalarType
{
    String,
    Number,
    Boolean,

    /// <summary>JSON's and YAML's null (inside a pod template).</summary>
    Null,
}

internal sealed record ScalarNode(string Text, ScalarType Type) : DocumentNode
{
    public static ScalarNode String(string text) => new(text, ScalarType.String);

    public static ScalarNode Int(int value) => new(value.ToString(CultureInfo.InvariantCulture), ScalarType.Number);

    public static ScalarNode Bool(bool value) => new(value ? "true" : "false", ScalarType.Boolean);

    public static ScalarNode Null { get; } = new("null", ScalarType.Null);
}

internal sealed record ListNode(IEnumerable<DocumentNode> Source) : DocumentNode
{
    public IReadOnlyList<DocumentNode> Items { get; } = [.. Source];
}

internal sealed record MapNode : DocumentNode
{
    public List<(string Key, DocumentNode Value)> Fields { get; } = [];

    public void Add(string key, DocumentNode value) => Fields.Add((key, value));

    /// <summary>Adds a string field unless it is null (the default of every optional string).</summary>
    public void Text(string key, string? value)
    {
        if (value is not null)
        {
            Add(key, ScalarNode.String(value));
        }
    }

    public void Duration(string key, TimeSpan? value)
    {
        if (value is { } duration)
        {
            Add(key, ScalarNode.String(DurationFormat.Format(duration)));
        }
    }

    /// <summary>Adds an integer field unless it is null.</summary>
    public void Int(string key, int? value)
    {
        if (value is { } number)
        {
            Add(key, ScalarNode.Int(number));
        }
    }

    /// <summary>Adds a mapping of strings, keys in order, unless it is empty (the default of every such mapping).</summary>
    public void Add(string key, IReadOnlyDictionary<string, string> values)
    {
        if (values.Count == 0)
        {
            return;
        }

        var map = new MapNode();
        foreach (var (name, value) in values.OrderBy(kv => kv.Key, StringComparer.Ordinal))
        {
            map.Text(name, value);
        }

        Add(key, map);
    }

    /// <summary>Adds a list field unless it is empty (the default of every list).</summary>
    public void List(string key, IEnumerable<DocumentNode> items)
    {
        var list = new ListNode(items);
        if (list.Items.Count > 0)
        {
            Add(key, list);
        }
    }
}
