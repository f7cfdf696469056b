using Orchestrator.Runtime.Grains;

namespace Orchestrator.Runtime.Tests.TestGrains;

public interface ITimerGrain : IGrainWithStringKey
{
    Task Start(TimeSpan period);

    Task Stop();

    Task<int> GetTicks();
}

public sealed class TimerGrainState
{
    public int Ticks { get; set; }
}

[GrainType("timer")]
public sealed class TimerGrain : Grain<TimerGrainState>, ITimerGrain
{
    private IDisposable? _timer;

    public Task Start(TimeSpan period)
    {
        _timer?.Dispose();
        _timer = RegisterTimer(_ =>
        {
            State.Ticks++; // a timer tick is a turn: this change commits like any other
            return Task.CompletedTask;
        }, period, period);
        return Task.CompletedTask;
    }

    public Task Stop()
    {
        _timer?.Dispose();
        _timer = null;
        return Task.CompletedTask;
    }

    public Task<int> GetTicks() => Task.FromResult(State.Ticks);
}
