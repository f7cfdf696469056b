using Orchestrator.Grains.Hosts;

namespace Orchestrator.Grains.Tests.Hosts;

/// <summary>
/// The in-memory liveness of a host activation: checks every 30 s from its start, each hearing the heartbeats since the
/// one before; two silent checks in a row take the host offline; a check the clock jumped past is skipped.
/// </summary>
public sealed class HostLivenessRulesTests
{
    private static readonly DateTimeOffset Start = new(2026, 12, 6, 8, 0, 0, TimeSpan.Zero);
    private static readonly TimeSpan P = HostLiveness.Period;

    [Fact]
    public void Start_CountsAsHeardByTheFirstCheck_TheSecondAndThirdAreSilent_TheThirdTakesItOffline()
    {
        var liveness = new HostLiveness(Start);

        Assert.Equal(Start + 3 * P, liveness.OfflineAt);
        Assert.Equal((0, 0, 1, 2), (liveness.SilentChecks(Start + P - TimeSpan.FromTicks(1)), liveness.SilentChecks(Start + P),
            liveness.SilentChecks(Start + 2 * P), liveness.SilentChecks(Start + 3 * P)));
        Assert.Equal(LivenessVerdict.Alive, liveness.Check(Start + 3 * P - TimeSpan.FromTicks(1)));
        Assert.Equal(LivenessVerdict.Offline, liveness.Check(Start + 3 * P));
    }

    [Theory]
    [InlineData(1, 3)]   // heard by the check at 30 s, like the start: nothing changes
    [InlineData(29, 3)]
    [InlineData(30, 4)]  // on a check: heard by the next one (check k hears t(k-1) <= h < t(k))
    [InlineData(31, 4)]
    [InlineData(59, 4)]
    [InlineData(60, 5)]
    public void Heard_OfflineAtIsTheSecondCheckAfterTheOneThatHeardIt(int secondsAfterStart, int offlineCheck)
    {
        var liveness = new HostLiveness(Start);

        liveness.Heard(Start + TimeSpan.FromSeconds(secondsAfterStart));

        Assert.Equal(Start + offlineCheck * P, liveness.OfflineAt);
    }

    [Fact]
    public void Heard_AnOlderTime_ChangesNothing()
    {
        var liveness = new HostLiveness(Start);
        liveness.Heard(Start + TimeSpan.FromSeconds(50));

        liveness.Heard(Start + TimeSpan.FromSeconds(10)); // a late-running caller's older reading

        Assert.Equal(Start + TimeSpan.FromSeconds(50), liveness.LastHeard);
    }

    [Fact]
    public void Check_AHeartbeatBetweenSilentChecks_StartsTheCountAgain()
    {
        var liveness = new HostLiveness(Start);
        Assert.Equal(1, liveness.SilentChecks(Start + 2 * P));

        liveness.Heard(Start + 2 * P + TimeSpan.FromSeconds(5));

        Assert.Equal((0, 1), (liveness.SilentChecks(Start + 3 * P), liveness.SilentChecks(Start + 4 * P)));
        Assert.Equal(LivenessVerdict.Alive, liveness.Check(Start + 4 * P));
        Assert.Equal(LivenessVerdict.Offline, liveness.Check(Start + 5 * P));
    }

    [Fact]
    public void Check_LateByMoreThanTheMisfire_IsSkippedAndCountsAsHeardNow()
    {
        var liveness = new HostLiveness(Start);
        var late = Start + 3 * P + HostLiveness.Misfire + TimeSpan.FromSeconds(1);

        Assert.Equal(LivenessVerdict.Skipped, liveness.Check(late));

        Assert.Equal((late, 0), (liveness.LastHeard, liveness.SilentChecks(late)));
        Assert.Equal(Start + 8 * P, liveness.OfflineAt); // the grid goes on: heard by the check at 180 s, offline at 240 s
    }

    [Fact]
    public void Check_LateButWithinTheMisfire_TakesTheHostOffline()
    {
        var liveness = new HostLiveness(Start);

        Assert.Equal(LivenessVerdict.Offline, liveness.Check(Start + 3 * P + HostLiveness.Misfire));
    }
}
