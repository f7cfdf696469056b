using System.Text.Json;
using Orchestrator.GrainInterfaces;
using Orchestrator.Grains.Retention;
using Orchestrator.Runtime.Durable;

namespace Orchestrator.Engine.Tests.Retention;

/// <summary>The retention grain's checkpoint survives its trip through grain state (JSON) unchanged: a resumed pass sees what was recorded.</summary>
public sealed class RetentionStateJsonTests
{
    [Fact]
    public void RoundTrip_PassWithPendingPartAndRecentPasses_KeepsEveryField()
    {
        var at = new DateTimeOffset(2026, 12, 5, 9, 0, 0, TimeSpan.Zero);
        var state = new RetentionState
        {
            Passes = 12,
            NextDue = at.AddHours(1),
            Current = new RetentionPass
            {
                Number = 12,
                StartedAt = at,
                InstancesBefore = at.AddDays(-30),
                AuditBefore = at.AddDays(-30),
                Phase = RetentionPhase.Audit,
                Cursor = "ti-9",
                Parts = 3,
                Pending = new ArchivePart
                {
                    Number = 3,
                    FirstId = 41,
                    LastId = 60,
                    NextCursor = "ti-9",
                    Written = true,
                    Files = [new ArchiveFile { Name = RetentionGrain.PartName("audit", new DateOnly(2026, 11, 4), 12, 3), Ids = ["a", "b"], Records = 20 }],
                },
                Archived = new() { ["instances"] = 4 },
                Deleted = new() { ["instances"] = 4, ["logDays"] = 2 },
                Files = ["instances/2026-11-04.000012-0001.jsonl.gz"],
                Errors = ["boom"],
            },
        };
        state.Recent.Add(new RetentionPassView(11, at.AddHours(-1), at.AddHours(-1).AddMinutes(3), "done", at.AddDays(-31), null, null, null,
            new Dictionary<string, long> { ["audit"] = 7 }, new Dictionary<string, long> { ["audit"] = 7 }, ["audit/x.jsonl.gz"], []));

        var json = JsonSerializer.Serialize(state, DurableJson.Options);
        var back = JsonSerializer.Deserialize<RetentionState>(json, DurableJson.Options)!;

        Assert.Equal(json, JsonSerializer.Serialize(back, DurableJson.Options));
        Assert.Equal("audit/2026-11-04.000012-0003.jsonl.gz", back.Current!.Pending!.Files[0].Name);
        Assert.True(back.Current.Pending.Written);
        Assert.Equal(RetentionPhase.Audit, back.Current.Phase);
        Assert.Equal(7, back.Recent[0].Archived["audit"]);
        Assert.Null(back.Recent[0].LogsBefore);
    }
}
