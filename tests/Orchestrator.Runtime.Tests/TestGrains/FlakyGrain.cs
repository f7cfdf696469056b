using Orchestrator.Runtime.Grains;

namespace Orchestrator.Runtime.Tests.TestGrains;

/// <summary>Decides, per test, whether <see cref="FlakyGrain"/> throws; registered as a singleton service.</summary>
public sealed class FailureSwitch
{
    public volatile bool Fail = true;

    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, int> _byCommand = new();
    private int _attempts;

    public int Attempts => Volatile.Read(ref _attempts);

    public int AttemptsOf(string what) => _byCommand.GetValueOrDefault(what);

    public void Attempted(string what)
    {
        Interlocked.Increment(ref _attempts);
        _byCommand.AddOrUpdate(what, 1, (_, n) => n + 1);
    }
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
        failures.Attempted(what);
        State.Done.Add(what); // must not survive a failed turn
        if (failures.Fail || what.StartsWith("bad", StringComparison.Ordinal))
        {
            throw new InvalidOperationException($"failing on purpose: {what}");
        }
        return Task.CompletedTask;
    }

    public Task<List<string>> GetDone() => Task.FromResult(State.Done);
}
