using System.Text.Json;
using Orchestrator.GrainInterfaces;
using Orchestrator.Runtime.Durable;

namespace Orchestrator.Grains.Tests.Requests;

/// <summary>
/// The request log's bounds: the state keeps at most <see cref="RequestLog.Capacity"/> outcomes whatever the window,
/// keyed outcomes pushed out move to index rows that answer until the window ends, and nothing past it is answered.
/// </summary>
public sealed class RequestLogTests
{
    private static readonly DateTimeOffset T0 = new(2026, 12, 5, 0, 0, 0, TimeSpan.Zero);
    private static readonly TimeSpan Window = TimeSpan.FromHours(24);

    private static string Key(int i) => RequestIds.ClientKeyPrefix + i.ToString("D32", System.Globalization.CultureInfo.InvariantCulture);

    [Fact]
    public void Add_ThousandKeyedCommandsInTheWindow_StateKeepsCapacityAndEveryPushedOutOneBecomesARow()
    {
        var log = new RequestLog();
        var rows = new List<Orchestrator.Runtime.Indexes.IndexRow>();

        for (var i = 0; i < 1000; i++)
        {
            rows.AddRange(log.Add(RequestResult.Done(Key(i), i.ToString(System.Globalization.CultureInfo.InvariantCulture)), T0.AddSeconds(i), Window, "plan/p"));
        }

        Assert.Equal(RequestLog.Capacity, log.Results.Count);
        Assert.Equal(1000 - RequestLog.Capacity, rows.Count);
        Assert.All(rows, r => Assert.Equal((IndexKinds.Request, "plan/p"), (r.Kind, r.Partition)));
        Assert.Equal(Key(0), rows[0].Key);
        Assert.Equal(T0, log.IndexedSince);
        // The first outcome, read back from its row a day less a second later, is the one recorded.
        Assert.Equal(RequestResult.Done(Key(0), "0"), RequestLog.FromRow(rows[0], T0 + Window - TimeSpan.FromSeconds(1), Window));
        Assert.Equal(T0, RequestLog.RecordedAt(rows[0]));
    }

    [Fact]
    public void Add_CommandsWithoutAClientKey_NeverBecomeRows()
    {
        var log = new RequestLog();

        var rows = Enumerable.Range(0, 100).SelectMany(i => log.Add(RequestResult.Done(Guid.NewGuid().ToString("N")), T0, Window, "plan/p")).ToList();

        Assert.Empty(rows);
        Assert.Null(log.IndexedSince);
        Assert.False(log.MayBeIndexed(Key(1)));
    }

    [Fact]
    public void Find_AfterTheWindow_AnswersNothingFromStateOrRow()
    {
        var log = new RequestLog();
        log.Add(RequestResult.Done(Key(1), "v1"), T0, Window, "plan/p");
        var row = Enumerable.Range(2, RequestLog.Capacity).SelectMany(i => log.Add(RequestResult.Done(Key(i)), T0, Window, "plan/p")).Single();

        Assert.NotNull(log.Find(Key(1), T0 + Window - TimeSpan.FromTicks(1), Window)); // pushed out, still seen by this activation
        Assert.Null(log.Find(Key(1), T0 + Window, Window));
        Assert.Null(log.Find(Key(2), T0 + Window, Window));
        Assert.Null(RequestLog.FromRow(row, T0 + Window, Window));
    }

    [Fact]
    public void Add_AfterTheWindow_DropsExpiredOutcomesFromState()
    {
        var log = new RequestLog();
        for (var i = 0; i < 10; i++)
        {
            log.Add(RequestResult.Done(Key(i)), T0, Window, "plan/p");
        }

        var rows = log.Add(RequestResult.Done(Key(99)), T0 + Window + TimeSpan.FromMinutes(1), Window, "plan/p");

        Assert.Empty(rows);
        Assert.Equal([Key(99)], log.Results.Select(r => r.RequestId));
    }

    [Fact]
    public void PruneDue_OnlyOnceTheOldestRowIsASlackPastTheWindow()
    {
        var log = new RequestLog { IndexedSince = T0 };

        Assert.False(log.PruneDue(T0 + Window + RequestLog.PruneSlack, Window));
        Assert.True(log.PruneDue(T0 + Window + RequestLog.PruneSlack + TimeSpan.FromSeconds(1), Window));
    }

    [Fact]
    public void Deserialize_StateWrittenBeforeTimesWereKept_KeepsItsOutcomesAsWithinTheWindow()
    {
        const string old = """{"results":[{"requestId":"kabc","code":200,"error":null,"value":"7"}]}""";

        var log = JsonSerializer.Deserialize<RequestLog>(old, DurableJson.Options)!;

        Assert.Equal(RequestResult.Done("kabc", "7"), log.Find("kabc", T0.AddYears(1), Window));
    }
}
