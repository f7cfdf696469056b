using System.Globalization;
using Orchestrator.Containers.Jobs;
using Orchestrator.GrainInterfaces;
using Orchestrator.Plans.Model;
using Orchestrator.Plans.Templates;

namespace Orchestrator.Grains.Steps;

/// <summary>
/// Turns a step definition into the work one host gets: templates rendered for that host, the standard environment
/// (<c>ORCH_TASK_ID</c>, <c>ORCH_STEP</c>, <c>ORCH_STEP_ATTEMPT</c>, <c>ORCH_HOST</c>, <c>ORCH_PARAM_*</c>) and the secret
/// values the agent must mask.
/// </summary>
internal sealed class WorkRenderer(StepState state)
{
    private readonly StepDefinition _step = state.Definition!;
    private readonly StepContext _context = state.Context!;

    public WorkSpec Render(string host)
    {
        if (_step.Kind == StepKind.FileDistribution)
        {
            var files = _step.Files!;
            return new WorkSpec
            {
                Kind = WorkKind.Download,
                Files = [.. state.Files.Select(f => f!)],
                TargetDirectory = TemplateRenderer.Render(files.TargetDirectory, e => Lookup(e, host)),
                Mode = files.Mode,
                Secrets = _context.SecretValues,
            };
        }
        string Resolve(string expression) => TemplateRenderer.Render(expression, e => Lookup(e, host));
        if (_step.Kind == StepKind.Container)
        {
            // The "host" is the cluster; the validator refuses ${{ host }} here, so nothing renders it.
            return new WorkSpec
            {
                Kind = WorkKind.Container,
                Container = ContainerSpecRenderer.Render(_step.Container!, e => Lookup(e, host)),
                StepName = _step.Name,
                Secrets = _context.SecretValues,
            };
        }
        if (_step.Kind == StepKind.Http)
        {
            var http = _step.Http!;
            return new WorkSpec
            {
                Kind = WorkKind.Http,
                Http = http with
                {
                    Url = Resolve(http.Url),
                    Headers = http.Headers.ToDictionary(h => h.Key, h => Resolve(h.Value), StringComparer.Ordinal),
                    Body = http.Body is { } body ? Resolve(body) : null,
                },
                Secrets = _context.SecretValues,
            };
        }
        var script = _step.Script!;
        var env = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["ORCH_TASK_ID"] = state.InstanceId,
            ["ORCH_STEP"] = _step.Name,
            ["ORCH_STEP_ATTEMPT"] = state.Attempt.ToString(CultureInfo.InvariantCulture),
            ["ORCH_HOST"] = host,
        };
        foreach (var (name, value) in _context.Parameters)
        {
            env["ORCH_PARAM_" + name.ToUpperInvariant()] = value;
        }
        foreach (var (name, value) in script.Env)
        {
            env[name] = Resolve(value);
        }
        return new WorkSpec
        {
            Kind = WorkKind.Script,
            Interpreter = script.Interpreter,
            Source = Resolve(script.Source),
            Args = [.. script.Args.Select(Resolve)],
            Env = env,
            WorkingDirectory = script.WorkingDirectory,
            Secrets = _context.SecretValues,
        };
    }

    private string? Lookup(string expression, string host)
    {
        var parts = expression.Split('.');
        switch (parts)
        {
            case ["params", var name]:
                return _context.Parameters.GetValueOrDefault(name);
            case ["steps", var step, "outputs", var name]:
                return Output(step, name, host);
            case ["previous", "outputs", var name] when _context.PreviousStep is { } previous:
                return Output(previous, name, host);
            case ["task", "id"]:
                return state.InstanceId;
            case ["task", "plan"]:
                return _context.PlanId;
            case ["step", "name"]:
                return _step.Name;
            case ["attempt"]:
                return state.Attempt.ToString(CultureInfo.InvariantCulture);
            case ["host"]:
                return host;
            default:
                return state.HostLists.GetValueOrDefault(expression);
        }
    }

    /// <summary>The host's own value if it produced one, else the first value any host produced; empty if none did.</summary>
    private string Output(string step, string name, string host)
    {
        if (!_context.StepOutputs.TryGetValue(step, out var outputs))
        {
            return "";
        }
        if (outputs.ByHost.TryGetValue(host, out var own) && own.TryGetValue(name, out var value))
        {
            return value;
        }
        return outputs.First.GetValueOrDefault(name) ?? "";
    }
}
