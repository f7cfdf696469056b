using Orchestrator.Runtime.Durable;
using Orchestrator.Runtime.Persistence.GrainState;
using Orleans.Runtime;

namespace Orchestrator.Runtime.Tests.Durable;

/// <summary>The pure parts of durable grains: the dedupe window, the due-ordered row keys, back-off, option checks.</summary>
public sealed class DurablePartsTests
{
    private static readonly DateTimeOffset T0 = new(2026, 12, 1, 8, 0, 0, TimeSpan.Zero);

    [Fact]
    public void AppliedKeyWindow_PastLimit_ForgetsOldestOnly()
    {
        var window = new AppliedKeyWindow(limit: 3, retention: TimeSpan.FromHours(1));
        foreach (var key in new[] { "a", "b", "c", "d" })
        {
            window.Add(key, T0);
        }

        Assert.False(window.Contains("a"));
        Assert.True(window.Contains("b") && window.Contains("c") && window.Contains("d"));
        Assert.Equal(3, window.Count);
    }

    [Fact]
    public void AppliedKeyWindow_OlderThanRetention_ForgottenUnderTheLimit()
    {
        var window = new AppliedKeyWindow(limit: 100, retention: TimeSpan.FromMinutes(10));
        window.Add("old", T0);
        window.Add("young", T0 + TimeSpan.FromMinutes(5));

        window.Trim(T0 + TimeSpan.FromMinutes(11));

        Assert.False(window.Contains("old"));
        Assert.True(window.Contains("young"));
    }

    [Fact]
    public void AppliedKeyWindow_SameKeyTwice_KeptOnceAtItsFirstTime()
    {
        var window = new AppliedKeyWindow(limit: 2, retention: TimeSpan.FromHours(1));
        window.Add("a", T0);
        window.Add("a", T0 + TimeSpan.FromMinutes(1));
        window.Add("b", T0);

        Assert.Equal([new AppliedKey("a", T0), new AppliedKey("b", T0)], window.ToList());
    }

    [Fact]
    public void IndexRowKey_EarlierDue_SortsFirstOrdinallyAndParsesBack()
    {
        var grain = GrainId.Create("test-ledger", "a|b/c");
        var early = DurableIndexRows.Key(T0, grain);
        var late = DurableIndexRows.Key(T0 + TimeSpan.FromMilliseconds(1), GrainId.Create("test-inbox", "0"));

        Assert.True(string.CompareOrdinal(early, late) < 0);
        Assert.True(DurableIndexRows.TryParse(early, out var due, out var parsed));
        Assert.Equal(T0, due);
        Assert.Equal(grain, parsed);
        Assert.False(DurableIndexRows.TryParse("not-a-row", out _, out _));
    }

    [Theory]
    [InlineData(1, 1000)]
    [InlineData(2, 2000)]
    [InlineData(3, 4000)]
    [InlineData(7, 60000)]
    [InlineData(40, 60000)]
    public void Backoff_AfterFailures_DoublesUpToTheMaximum(int failures, int expectedMs)
    {
        var middle = Backoff.After(failures, TimeSpan.FromSeconds(1), TimeSpan.FromMinutes(1), jitter: 0.5);
        var low = Backoff.After(failures, TimeSpan.FromSeconds(1), TimeSpan.FromMinutes(1), jitter: 0);
        var high = Backoff.After(failures, TimeSpan.FromSeconds(1), TimeSpan.FromMinutes(1), jitter: 1);

        Assert.Equal(TimeSpan.FromMilliseconds(expectedMs), middle);
        Assert.Equal(TimeSpan.FromMilliseconds(expectedMs * 0.8), low);
        Assert.Equal(TimeSpan.FromMilliseconds(expectedMs * 1.2), high);
    }

    [Fact]
    public void OptionsValidator_BadValues_NamesEachOption()
    {
        var result = new DurableOptionsValidator().Validate(null, new DurableOptions
        {
            StorageName = " ",
            MaxDeliveryAttempts = 0,
            RetryBackoffBase = TimeSpan.FromSeconds(10),
            RetryBackoffMax = TimeSpan.FromSeconds(1),
            SweepGrace = TimeSpan.FromSeconds(-1),
        });

        Assert.True(result.Failed);
        var message = result.FailureMessage;
        Assert.Contains("StorageName", message, StringComparison.Ordinal);
        Assert.Contains("MaxDeliveryAttempts must be at least 1; it is 0", message, StringComparison.Ordinal);
        Assert.Contains("RetryBackoffMax (00:00:01) must be at least RetryBackoffBase (00:00:10)", message, StringComparison.Ordinal);
        Assert.Contains("SweepGrace must not be negative", message, StringComparison.Ordinal);
        Assert.True(new DurableOptionsValidator().Validate(null, new DurableOptions()).Succeeded);
    }

    public static TheoryData<Exception, bool> Failures => new()
    {
        { new DurableWriteException("the receiver's write failed"), true },
        { new Orleans.Storage.InconsistentStateException("stale"), true },
        { new TimeoutException(), true },
        { new SiloUnavailableException(), true },
        { new GrainStorageException("the receiver's state read failed") { IsTransient = false }, true },
        { new GrainStorageException("the receiver's state read failed") { IsTransient = true }, true },
        { new AggregateException(new TimeoutException(), new DurableWriteException()), true },
        { new AggregateException(new TimeoutException(), new InvalidOperationException()), false },
        { new InvalidOperationException("the receiver refused it"), false },
        { new ArgumentException("bad argument"), false },
    };

    [Theory]
    [MemberData(nameof(Failures))]
    public void IsTransient_ClassifiesUnavailableReceiversApartFromRefusals(Exception failure, bool transient) =>
        Assert.Equal(transient, DeliveryFailures.IsTransient(failure));

    [Fact]
    public void ShouldPark_TransientFailure_OnlyAfterTheAttemptsAndTheTolerance()
    {
        var options = new DurableOptions { MaxDeliveryAttempts = 5, TransientFailureTolerance = TimeSpan.FromMinutes(10) };
        var since = new DateTimeOffset(2026, 12, 5, 0, 0, 0, TimeSpan.Zero);
        var outage = new DurableWriteException("database down");
        var refusal = new InvalidOperationException("refused");

        Assert.False(DeliveryFailures.ShouldPark(refusal, 4, since, since.AddMinutes(1), options));
        Assert.True(DeliveryFailures.ShouldPark(refusal, 5, since, since.AddSeconds(30), options));
        Assert.False(DeliveryFailures.ShouldPark(outage, 5, since, since.AddSeconds(30), options));
        Assert.False(DeliveryFailures.ShouldPark(outage, 40, since, since.AddMinutes(10).AddTicks(-1), options));
        Assert.True(DeliveryFailures.ShouldPark(outage, 40, since, since.AddMinutes(10), options));
        Assert.False(DeliveryFailures.ShouldPark(outage, 4, since, since.AddHours(1), options));
    }

    [Fact]
    public void Validate_NegativeTransientFailureTolerance_NamesIt() =>
        Assert.Contains(
            "TransientFailureTolerance must not be negative",
            string.Join(" ", new DurableOptionsValidator().Validate(null, new DurableOptions { TransientFailureTolerance = TimeSpan.FromSeconds(-1) }).Failures!),
            StringComparison.Ordinal);
}
