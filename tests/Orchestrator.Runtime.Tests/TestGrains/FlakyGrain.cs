using Orchestrator.Runtime.Grains;

namespace Orchestrator.Runtime.Tests.TestGrains;

/// <summary>Decides, per test, whether <see cref="FlakyGrain"/> throws; registered as a singleton service.</summary>
public sealed class FailureSwitch
{
    public volatile bool Fail = true;

    private int _attempts;

    public int Attempts => Volatile.Read(ref _attempts);

    public void Attempted() => Interlocked.Increment(ref _attempts);
}

public interface IFlakyGrain : IGrainWithStringKey
{
    Task Do(string what);

    Task<List<string>> GetDone();
}

public sealed class FlakyState
{
    public List<string> Done { get; set; } = [];
}

[GrainType("flaky")]
public sealed class FlakyGrain(FailureSwitch failures) : Grain<FlakyState>, IFlakyGrain
{
    public Task Do(string what)
    {
        failures.Attempted();
        State.Done.Add(what); // must not survive a failed turn
        if (failures.Fail)
        {
            throw new InvalidOperationException($"failing on purpose: {what}");
        }
        return Task.CompletedTask;
    }

    public Task<List<string>> GetDone() => Task.FromResult(State.Done);
}
