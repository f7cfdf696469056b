using System.Text.RegularExpressions;
using Orchestrator.GrainInterfaces;
using Orchestrator.Grains.Common;
using Orchestrator.Plans.Model;
using Orchestrator.Plans.Selectors;
using Orchestrator.Plans.Templates;
using Orchestrator.Runtime.Indexes;

namespace Orchestrator.Grains.Steps;

public sealed partial class StepGrain
{
    private const int PageSize = 5000;

    /// <summary>The attempt's targets by position, as resolved by this activation (not persisted: rows are).</summary>
    private (int Attempt, List<string> Hosts)? _positions;

    private static readonly int[] OpenStatuses =
        [(int)TargetStatus.Pending, (int)TargetStatus.Dispatched, (int)TargetStatus.Running, (int)TargetStatus.Retrying, (int)TargetStatus.Stopping];

    private static readonly int[] FailedStatuses =
        [(int)TargetStatus.Failed, (int)TargetStatus.TimedOut, (int)TargetStatus.AgentOffline, (int)TargetStatus.AgentLost, (int)TargetStatus.Stopped];

    private static readonly int[] NotStartedStatuses = [(int)TargetStatus.Cancelled, (int)TargetStatus.Skipped, (int)TargetStatus.Pending];

    /// <summary>The union of the target spec's parts, in order of appearance, without repeats.</summary>
    private async Task<List<string>> ResolveTargetsAsync()
    {
        var spec = State.Definition!.Targets ?? new TargetSpec();
        var context = State.Context!;
        var hosts = new List<string>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        void Add(string host)
        {
            host = host.Trim();
            if (host.Length > 0 && seen.Add(host))
            {
                hosts.Add(host);
            }
        }
        foreach (var host in spec.Hosts)
        {
            Add(host);
        }
        if (spec.Parameter is { } parameter && context.Parameters.TryGetValue(parameter, out var list))
        {
            foreach (var host in list.Split(',', StringSplitOptions.RemoveEmptyEntries))
            {
                Add(host);
            }
        }
        if (spec.Selector is { } selectorText)
        {
            var selector = LabelSelector.Parse(selectorText);
            var ns = Namespaces.Of(context.Namespace);
            foreach (var row in await ScanAsync(IndexKinds.Host, "", null))
            {
                if (row.Data is not null && DomainJson.Deserialize<HostIndexData>(row.Data) is var host
                    && Namespaces.Of(host.Namespace) == ns && selector.Matches(host.Labels))
                {
                    Add(row.Key);
                }
            }
        }
        if (spec.FromStep is { } from)
        {
            foreach (var host in await StepHostsAsync(from.Step, from.Outcome))
            {
                Add(host);
            }
        }
        return hosts;
    }

    /// <summary>An earlier step's succeeded or failed hosts, in name order.</summary>
    private async Task<List<string>> StepHostsAsync(string step, StepHostsOutcome outcome)
    {
        var context = State.Context!;
        var name = step == "previous" ? context.PreviousStep : step;
        if (name is null || !context.StepKeys.TryGetValue(name, out var stepKey))
        {
            return [];
        }
        var statuses = outcome == StepHostsOutcome.Succeeded ? [(int)TargetStatus.Succeeded] : FailedStatuses;
        return [.. (await ScanAsync(IndexKinds.Target, stepKey, statuses)).Where(r => !r.Key.StartsWith('@')).Select(r => r.Key)];
    }

    /// <summary>The hosts a retry runs again, in the order of the first attempt.</summary>
    private async Task<List<string>> RetrySetAsync(AttemptSet set)
    {
        var original = (await ScanAsync(IndexKinds.StepTarget, State.TargetPartition(1), null)).Select(r => r.Data!).ToList();
        if (set == AttemptSet.All)
        {
            return original;
        }
        var statuses = set == AttemptSet.Failed ? FailedStatuses : NotStartedStatuses;
        var chosen = (await ScanAsync(IndexKinds.Target, GrainKey, statuses)).Select(r => r.Key).ToHashSet(StringComparer.Ordinal);
        return [.. original.Where(chosen.Contains)];
    }

    /// <summary>Records the attempt's targets: one row per position (the rollout order) and one per host (its status).</summary>
    private void WriteTargets(List<string> hosts)
    {
        // Index rows become readable only once this turn commits; dispatches until then read this copy.
        _positions = (State.Attempt, hosts);
        var partition = State.TargetPartition(State.Attempt);
        var pending = DomainJson.Serialize(new TargetIndexData(TargetStatus.Pending, 0, State.Attempt, null, null, null, null, null));
        for (var i = 0; i < hosts.Count; i++)
        {
            WriteIndex(new IndexRow(IndexKinds.StepTarget, partition, IndexKinds.Position(i), 0, hosts[i]));
            WriteIndex(new IndexRow(IndexKinds.Target, GrainKey, hosts[i], (int)TargetStatus.Pending, pending));
        }
    }

    private static readonly Regex HostListReference = new(@"^(?:steps\.(?<step>[A-Za-z0-9_-]+)|(?<prev>previous))\.(?<outcome>succeeded|failed)Hosts$", RegexOptions.CultureInvariant);

    /// <summary>Fetches the host lists the step's templates reference, once per attempt.</summary>
    private async Task FetchHostListsAsync()
    {
        foreach (var reference in TemplateTexts().SelectMany(TemplateRenderer.References).Distinct(StringComparer.Ordinal))
        {
            var match = HostListReference.Match(reference);
            if (!match.Success)
            {
                continue;
            }
            var step = match.Groups["prev"].Success ? "previous" : match.Groups["step"].Value;
            var outcome = match.Groups["outcome"].Value == "succeeded" ? StepHostsOutcome.Succeeded : StepHostsOutcome.Failed;
            State.HostLists[reference] = string.Join(',', await StepHostsAsync(step, outcome));
        }
    }

    private IEnumerable<string> TemplateTexts()
    {
        if (State.Definition!.Script is { } script)
        {
            yield return script.Source;
            foreach (var arg in script.Args)
            {
                yield return arg;
            }
            foreach (var value in script.Env.Values)
            {
                yield return value;
            }
        }
    }

    private static readonly int[] NotRunningStatuses = [(int)TargetStatus.Pending, (int)TargetStatus.Dispatched, (int)TargetStatus.Retrying];

    /// <summary>
    /// Cancels every target of the attempt that is not final — or, when <paramref name="killRunning"/> is false, only
    /// those not running yet: pending ones then never start, running ones finish on their own. The cancels go out from
    /// the step's own loop once this turn is durable (<see cref="CancelSweep"/>).
    /// </summary>
    private void CancelOpenTargets(TargetStatus notStarted, bool killRunning)
    {
        if (State.Cancelling is { } sweep && sweep.Attempt == State.Attempt && (sweep.KillRunning || !killRunning))
        {
            return; // a sweep at least as wide is going out already
        }
        State.Cancelling = new CancelSweep { Attempt = State.Attempt, NotStarted = notStarted, KillRunning = killRunning };
        DeliverCancelsAfterThisTurn();
    }

    private static int[] CancelStatuses(bool killRunning) => killRunning ? OpenStatuses : NotRunningStatuses;

    private async Task<List<IndexRow>> ScanAsync(string kind, string partition, IReadOnlyList<int>? statuses)
    {
        var rows = new List<IndexRow>();
        string? after = null;
        while (true)
        {
            var page = await Indexes.QueryAsync(new IndexQuery(kind, [partition]) { Statuses = statuses, AfterKey = after, Limit = PageSize });
            rows.AddRange(page);
            if (page.Count < PageSize)
            {
                return rows;
            }
            after = page[^1].Key;
        }
    }
}
