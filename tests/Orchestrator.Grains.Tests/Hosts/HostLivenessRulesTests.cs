using Orchestrator.Grains.Hosts;

namespace Orchestrator.Grains.Tests.Hosts;

/// <summary>The in-memory liveness checks of a host activation: counting, going offline, skipping checks the clock jumped past.</summary>
public sealed class HostLivenessRulesTests
{
    private static readonly DateTimeOffset Start = new(2026, 12, 6, 8, 0, 0, TimeSpan.Zero);
    private static readonly TimeSpan P = HostLiveness.Period;

    [Fact]
    public void Check_StartCountsAsHeard_ThenTwoSilentChecksTakeTheHostOffline()
    {
        var liveness = new HostLiveness(Start);

        Assert.Equal(Start + P, liveness.NextCheck);
        Assert.Equal(LivenessVerdict.Heard, liveness.Check(Start + P));
        Assert.Equal(LivenessVerdict.Silent, liveness.Check(Start + 2 * P));
        Assert.False(liveness.Gone);
        Assert.Equal(LivenessVerdict.Offline, liveness.Check(Start + 3 * P));
        Assert.True(liveness.Gone);
        Assert.Equal((2, Start + 4 * P), (liveness.SilentChecks, liveness.NextCheck));
    }

    [Fact]
    public void Check_AHeartbeatBetweenSilentChecks_StartsTheCountAgain()
    {
        var liveness = new HostLiveness(Start);
        liveness.Check(Start + P);
        liveness.Check(Start + 2 * P);

        liveness.Heard();

        Assert.Equal(LivenessVerdict.Heard, liveness.Check(Start + 3 * P));
        Assert.Equal(0, liveness.SilentChecks);
        Assert.Equal(LivenessVerdict.Silent, liveness.Check(Start + 4 * P));
    }

    [Fact]
    public void Gone_AHeartbeatAfterTheOfflineVerdict_HoldsItBack()
    {
        var liveness = new HostLiveness(Start);
        liveness.Check(Start + P);
        liveness.Check(Start + 2 * P);
        Assert.Equal(LivenessVerdict.Offline, liveness.Check(Start + 3 * P));

        liveness.Heard(); // came before the turn that takes the host offline

        Assert.False(liveness.Gone);
    }

    [Fact]
    public void Check_LateByMoreThanTheMisfire_IsSkippedAndTheGridGoesOnPastNow()
    {
        var liveness = new HostLiveness(Start);
        liveness.Check(Start + P); // heard
        var late = Start + TimeSpan.FromMinutes(10) + TimeSpan.FromSeconds(5);

        Assert.Equal(LivenessVerdict.Skipped, liveness.Check(late));
        Assert.Equal((0, Start + TimeSpan.FromMinutes(10) + P), (liveness.SilentChecks, liveness.NextCheck));
    }

    [Fact]
    public void Check_LateButWithinTheMisfire_IsCountedAndTheMissedGridPointFolded()
    {
        var liveness = new HostLiveness(Start);
        liveness.Check(Start + P); // heard

        Assert.Equal(LivenessVerdict.Silent, liveness.Check(Start + 2 * P + TimeSpan.FromSeconds(45)));
        Assert.Equal(Start + 4 * P, liveness.NextCheck);
    }

    [Fact]
    public void Check_SkippedChecks_KeepTheHeartbeatsForTheNextOne()
    {
        var liveness = new HostLiveness(Start);
        liveness.Check(Start + P);
        liveness.Heard();

        Assert.Equal(LivenessVerdict.Skipped, liveness.Check(Start + TimeSpan.FromMinutes(5)));
        Assert.Equal(LivenessVerdict.Heard, liveness.Check(liveness.NextCheck));
    }
}
