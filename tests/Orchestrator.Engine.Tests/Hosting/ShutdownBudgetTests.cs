using Orchestrator.Silo.Shutdown;

namespace Orchestrator.Engine.Tests.Hosting;

public sealed class ShutdownBudgetTests
{
    [Fact]
    public void Limits_DefaultDrain_SplitTheTimeInOrder()
    {
        var budget = new ShutdownBudget(TimeSpan.FromSeconds(10), new SteppedClock());

        Assert.Equal(TimeSpan.FromSeconds(5), budget.WorkLimit);
        Assert.Equal(TimeSpan.FromSeconds(7.5), budget.AgentLimit);
        Assert.Equal(TimeSpan.FromSeconds(10), budget.SiloLimit);
        Assert.Equal(TimeSpan.FromSeconds(2), budget.KillGrace);
        Assert.Equal(TimeSpan.FromSeconds(15), budget.HostTimeout);
        // A kill at the work limit, with its grace, ends before the agent must be done.
        Assert.True(budget.WorkLimit + budget.KillGrace < budget.AgentLimit);
    }

    [Fact]
    public void KillGrace_LongDrain_IsTheAgentsDefaultAtMost()
    {
        Assert.Equal(ShutdownBudget.MaxKillGrace, new ShutdownBudget(TimeSpan.FromMinutes(2), new SteppedClock()).KillGrace);
    }

    [Fact]
    public void Until_CountsFromTheFirstStartOnly_AndNeverGoesNegative()
    {
        var clock = new SteppedClock();
        var budget = new ShutdownBudget(TimeSpan.FromSeconds(4), clock);
        Assert.Equal(TimeSpan.FromSeconds(2), budget.Until(budget.WorkLimit)); // not started: the whole limit

        budget.Start();
        clock.Advance(TimeSpan.FromSeconds(1));
        budget.Start(); // a second SIGTERM: the stop keeps its first start
        Assert.Equal(TimeSpan.FromSeconds(1), budget.Elapsed);
        Assert.Equal(TimeSpan.FromSeconds(1), budget.Until(budget.WorkLimit));
        Assert.Equal(TimeSpan.FromSeconds(3), budget.Until(budget.SiloLimit));

        clock.Advance(TimeSpan.FromSeconds(5));
        Assert.Equal(TimeSpan.Zero, budget.Until(budget.SiloLimit));
    }

    /// <summary>A monotonic clock the test moves (the budget measures with timestamps, not wall time).</summary>
    private sealed class SteppedClock : TimeProvider
    {
        private long _ticks = 1_000;

        public override long TimestampFrequency => TimeSpan.TicksPerSecond;

        public override long GetTimestamp() => _ticks;

        public void Advance(TimeSpan by) => _ticks += by.Ticks;
    }
}
