using Orchestrator.GrainInterfaces;
using Orchestrator.Grains.Common;
using Orchestrator.Grains.Requests;
using Orchestrator.Plans.Model;
using Orchestrator.Plans.Parameters;
using Orchestrator.Runtime.Indexes;
using Orchestrator.Runtime.Telemetry;

namespace Orchestrator.Grains.Plans;

/// <summary>State of a plan: every version, newest last, and the latest runs.</summary>
public sealed class PlanState : IRequestState
{
    public List<PlanDefinition> Versions { get; set; } = [];

    /// <summary>
    /// When each version was saved and by whom, in the order of <see cref="Versions"/>; empty for the versions saved
    /// before it was kept (the first ones of <see cref="Versions"/>: this list is aligned to its end).
    /// </summary>
    public List<PlanVersionSaved> Saved { get; set; } = [];

    /// <summary>The namespace, fixed by the first version; null in plans stored before namespaces (<c>default</c>).</summary>
    public string? Namespace { get; set; }

    /// <summary>The partition of the plan's index row as last written; null: "" (rows of before namespaces) or none.</summary>
    public string? IndexPartition { get; set; }

    public DateTimeOffset CreatedAt { get; set; }

    public DateTimeOffset UpdatedAt { get; set; }

    public List<string> RecentInstances { get; set; } = [];

    public RequestLog Requests { get; set; } = new();
}

/// <summary>When a version of a plan was saved, and by whom.</summary>
public sealed record PlanVersionSaved(DateTimeOffset At, string By);

/// <summary>A stored plan. Versions are never rewritten: a save appends one, and a run records the version it used.</summary>
[GrainType("plan")]
public sealed class PlanGrain : RequestGrain<PlanState>, IPlanGrain
{
    private const int RecentRuns = 50;

    public Task Save(SavePlan command) => Once(command.RequestId, () => SaveNow(command));

    private Task SaveNow(SavePlan command)
    {
        var latest = State.Versions.Count;
        if (command.ExpectedVersion is { } expected && expected != latest)
        {
            Answer(RequestResult.Fail(command.RequestId, 409,
                expected == 0 ? $"Plan '{GrainKey}' already exists (version {latest})." : $"Plan '{GrainKey}' is at version {latest}, not {expected}."));
            return Task.CompletedTask;
        }
        var ns = Namespaces.Of(command.Definition.Namespace);
        if (latest > 0 && ns != Namespaces.Of(State.Namespace))
        {
            // Ids are global and a namespace is fixed at creation: moving a plan would move its runs' and schedules' too.
            Answer(RequestResult.Fail(command.RequestId, 400,
                $"namespace: plan '{GrainKey}' is in namespace '{Namespaces.Of(State.Namespace)}'; a plan cannot move to another namespace ('{ns}')."));
            return Task.CompletedTask;
        }
        var now = Clock.GetUtcNow();
        if (latest == 0)
        {
            State.CreatedAt = now;
            WriteIndex(new IndexRow(IndexKinds.Namespace, "", ns, 0, null));
        }
        State.Namespace = ns;
        State.Versions.Add(command.Definition with { Namespace = ns });
        State.Saved.Add(new PlanVersionSaved(now, command.By));
        State.UpdatedAt = now;
        if (State.IndexPartition != ns)
        {
            DeleteIndex(IndexKinds.Plan, State.IndexPartition ?? "", GrainKey); // the row of before namespaces, if any
            State.IndexPartition = ns;
        }
        WriteIndex(new IndexRow(IndexKinds.Plan, ns, GrainKey, 0, DomainJson.Serialize(new PlanIndexData(command.Definition.Name, State.Versions.Count, now))));
        Answer(RequestResult.Done(command.RequestId, State.Versions.Count.ToString(System.Globalization.CultureInfo.InvariantCulture)));
        return Task.CompletedTask;
    }

    public Task Run(RunPlan command) => Once(command.RequestId, () => RunNow(command));

    private Task RunNow(RunPlan command)
    {
        var version = command.Version == 0 ? State.Versions.Count : command.Version;
        if (version < 1 || version > State.Versions.Count)
        {
            return Refuse(command, 404, State.Versions.Count == 0 ? $"Plan '{GrainKey}' does not exist." : $"Plan '{GrainKey}' has no version {command.Version}.");
        }
        var definition = State.Versions[version - 1] with { Namespace = Namespaces.Of(State.Namespace) };
        var (parameters, errors) = PlanParameters.Resolve(definition, command.Parameters);
        if (errors.Count > 0)
        {
            return Refuse(command, 400, string.Join(" ", errors.Select(e => $"{e.Path}: {e.Message}")));
        }
        var options = command.Options;
        if (options?.TraceParent is null && RunTrace.Current() is { } trace)
        {
            options = (options ?? new RunOptions()) with { TraceParent = trace }; // one run, one trace: the request's
        }
        Send<ITaskInstanceGrain>(command.InstanceId)
            .Start(new StartInstance(command.RequestId, GrainKey, version, definition, parameters, command.By, Clock.GetUtcNow(), options));
        State.RecentInstances.Add(command.InstanceId);
        if (State.RecentInstances.Count > RecentRuns)
        {
            State.RecentInstances.RemoveAt(0);
        }
        Answer(RequestResult.Done(command.RequestId, command.InstanceId));
        return Task.CompletedTask;
    }

    private Task Refuse(RunPlan command, int code, string error)
    {
        Answer(RequestResult.Fail(command.RequestId, code, error));
        if (command.Options?.Schedule is { } schedule)
        {
            Send<IScheduleGrain>(schedule).OnRunRejected(new ScheduledRunRejected(command.InstanceId, error));
        }
        return Task.CompletedTask;
    }

    public ValueTask<PlanView?> GetAsync(int? version)
    {
        var latest = State.Versions.Count;
        var v = version ?? latest;
        return ValueTask.FromResult(v < 1 || v > latest
            ? null
            : new PlanView(GrainKey, v, latest, State.Versions[v - 1], State.CreatedAt, State.UpdatedAt, [.. State.RecentInstances]) { Namespace = Namespaces.Of(State.Namespace) });
    }

    public ValueTask<IReadOnlyList<PlanVersionInfo>?> GetVersionsAsync()
    {
        if (State.Versions.Count == 0)
        {
            return ValueTask.FromResult<IReadOnlyList<PlanVersionInfo>?>(null);
        }
        var unrecorded = State.Versions.Count - State.Saved.Count;
        var versions = new List<PlanVersionInfo>(State.Versions.Count);
        for (var i = State.Versions.Count - 1; i >= 0; i--)
        {
            var saved = i >= unrecorded ? State.Saved[i - unrecorded] : null;
            // A version saved before this was kept: the first and the latest still have the plan's created and updated times.
            var at = saved?.At ?? (i == 0 ? State.CreatedAt : i == State.Versions.Count - 1 ? State.UpdatedAt : null);
            versions.Add(new PlanVersionInfo(i + 1, State.Versions[i].Name, at, saved?.By));
        }
        return ValueTask.FromResult<IReadOnlyList<PlanVersionInfo>?>(versions);
    }

    public ValueTask<string?> GetNamespaceAsync() =>
        ValueTask.FromResult(State.Versions.Count == 0 ? null : Namespaces.Of(State.Namespace));

    public ValueTask<RequestResult?> GetRequestResultAsync(string requestId) => FindRequestAsync(requestId);
}
