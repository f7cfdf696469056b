using Orchestrator.Api.Common;
using Orchestrator.Api.Identity;
using Orchestrator.GrainInterfaces;

namespace Orchestrator.Api.Instances;

/// <summary>
/// What <c>GET /api/v1/task-instances</c> lists (pure: unit-tested): runs of a <see cref="Status"/>, a
/// <see cref="Namespace"/>, a <see cref="Plan"/>, started <see cref="By"/> a principal, created in
/// [<see cref="From"/>, <see cref="To"/>), newest first, from the <see cref="IndexKinds.InstanceByTime"/> rows. Status
/// and namespace select rows in the store; the time range is a key range; plan and principal are checked on the rows read.
/// </summary>
public sealed record InstanceListFilter(string? Status, string? Namespace, string? Plan, string? By, DateTimeOffset? From, DateTimeOffset? To, string? After, int Limit)
{
    /// <summary>Reads the query; errors, each naming its parameter, go to <paramref name="query"/>.</summary>
    public static InstanceListFilter Read(QueryValues query, int maxPageSize)
    {
        ArgumentNullException.ThrowIfNull(query);
        var status = query.Text("status", 64);
        if (status is not null && !InstancesApi.TryStatus<ExecutionStatus>(status, out _))
        {
            query.Errors.Add(new FieldError("status", $"{Quote.Of(status)} is not a status; use one of {InstancesApi.StatusNames<ExecutionStatus>()}."));
        }
        var ns = NamespaceScope.Read(query);
        var plan = query.Text("plan", ApiLimits.MaxIdLength);
        if (plan is not null && !Ids.IsValid(plan))
        {
            query.Errors.Add(new FieldError("plan", $"{Quote.Of(plan)} is not a plan id: {Ids.Rule}."));
        }
        var by = query.Text("by", ApiLimits.MaxUserLength);
        if (by is { Length: 0 } || (by is not null && by.Any(char.IsControl)))
        {
            query.Errors.Add(new FieldError("by", "Name the principal who started the runs (as /api/v1/me answers it), or leave the filter out."));
        }
        var from = query.Time("from", DateTimeOffset.UnixEpoch, DateTimeOffset.UnixEpoch.AddSeconds(IndexKinds.MaxInstanceTimeSeconds));
        var to = query.Time("to", DateTimeOffset.UnixEpoch, DateTimeOffset.UnixEpoch.AddSeconds(IndexKinds.MaxInstanceTimeSeconds));
        if (from is not null && to is not null && to <= from)
        {
            query.Errors.Add(new FieldError("to", $"{to:O} is not after from ({from:O}); the range is from (inclusive) to (exclusive)."));
        }
        var after = query.After();
        if (after is not null && !IsTimeKey(after))
        {
            query.Errors.Add(new FieldError("after", "Not a cursor of the runs list: pass the 'next' value of the previous page unchanged."));
        }
        var limit = query.Limit(maxPageSize);
        return new(status, ns, plan, by, from, to, after, limit);
    }

    /// <summary>The status to select in the store, if one was asked for.</summary>
    public IReadOnlyList<int>? Statuses => Status is not null && InstancesApi.TryStatus<ExecutionStatus>(Status, out var s) ? [(int)s] : null;

    /// <summary>The key to read after: the cursor, or, when later, the last key before runs created in <see cref="To"/>'s second.</summary>
    public string? StartKey()
    {
        // '.' sorts just before '/': every key of To's second, and of later seconds' runs (smaller numbers), is before it.
        var bound = To is { } to ? IndexKinds.InstanceTimeBound(to)[..^1] + "." : null;
        return bound is null ? After : After is null || string.CompareOrdinal(bound, After) > 0 ? bound : After;
    }

    /// <summary>Whether a key (and every key after it) is of a run created before <see cref="From"/>'s second: the scan ends.</summary>
    public bool IsPast(string key) =>
        From is { } from && key.Length >= 11 && string.CompareOrdinal(key[..11], IndexKinds.InstanceTimeBound(from)[..11]) > 0;

    /// <summary>Whether a row read (in the key range) is listed: the exact time range, the plan and the principal.</summary>
    public bool Matches(InstanceIndexData data)
    {
        ArgumentNullException.ThrowIfNull(data);
        return (From is null || data.CreatedAt >= From) && (To is null || data.CreatedAt < To)
            && (Plan is null || string.Equals(data.PlanId, Plan, StringComparison.Ordinal))
            && (By is null || string.Equals(data.By, By, StringComparison.Ordinal));
    }

    /// <summary>The run's id in a key of <see cref="IndexKinds.InstanceByTime"/>.</summary>
    public static string IdOf(string key) => IndexKinds.InstanceIdOfTimeKey(key);

    private static bool IsTimeKey(string key) => IndexKinds.IsInstanceTimeKey(key) && Ids.IsValid(IdOf(key));
}
