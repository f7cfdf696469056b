using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using Orchestrator.Runtime.Diagnostics;
using Orchestrator.Runtime.Tests.Infrastructure;
using Orchestrator.Runtime.Tests.TestGrains;

namespace Orchestrator.Runtime.Tests.Diagnostics;

/// <summary>The instruments the dashboard will read, as a MeterListener (OpenTelemetry's way in) sees them.</summary>
/// <remarks>
/// A <see cref="MeterListener"/> hears every silo in the process, so this test runs alone (after the parallel ones):
/// another test's dead letter would otherwise be counted here.
/// </remarks>
[Collection(MetricsCollection.Name)]
public sealed class SiloMetricsTests : SqliteClusterTestBase
{
    [Fact]
    public async Task Instruments_ReportTurnsCommitsActivationsAndDeadLetters_TaggedWithTheSilo()
    {
        var seen = new ConcurrentDictionary<string, (double Total, HashSet<string> Tags)>();
        using var listener = new MeterListener
        {
            InstrumentPublished = (instrument, l) =>
            {
                if (instrument.Meter.Name == SiloMetrics.MeterName)
                {
                    l.EnableMeasurementEvents(instrument);
                }
            },
        };
        void Record(Instrument instrument, double value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
        {
            var tagText = new HashSet<string>();
            foreach (var tag in tags)
            {
                tagText.Add($"{tag.Key}={tag.Value}");
            }
            seen.AddOrUpdate(instrument.Name, (value, tagText), (_, old) => (old.Total + value, [.. old.Tags, .. tagText]));
        }
        listener.SetMeasurementEventCallback<long>((i, v, t, _) => Record(i, v, t));
        listener.SetMeasurementEventCallback<int>((i, v, t, _) => Record(i, v, t));
        listener.SetMeasurementEventCallback<double>((i, v, t, _) => Record(i, v, t));
        listener.Start();

        await using var cluster = await StartClusterAsync();
        var counter = cluster.Client.GetGrain<ICounterGrain>("m");
        await counter.Add(1);
        await counter.Add(2);
        await cluster.Client.GetGrain<IFlakyGrain>("m").Do("bad-always");
        await Eventually.Until(counter.GetValue, v => v == 3, TimeSpan.FromSeconds(30), "commands applied");
        await Eventually.Until(() => cluster.Client.GetDeadLettersAsync(), l => l.Count == 1, TimeSpan.FromSeconds(30), "the failing command parked");
        listener.RecordObservableInstruments();

        Assert.True(seen["orch.turns"].Total >= 2);
        Assert.Contains("grain_type=counter", seen["orch.turns"].Tags);
        Assert.Contains("silo=silo0", seen["orch.turns"].Tags);
        Assert.True(seen["orch.commit.duration"].Total > 0);
        Assert.True(seen["orch.commit.batch_size"].Total >= 1); // two commands to one grain may commit as one batch
        Assert.Equal(1, seen["orch.dead_letters"].Total);
        Assert.Contains("grain_type=flaky", seen["orch.dead_letters"].Tags);
        Assert.Contains("grain_type=counter", seen["orch.activations"].Tags);
        Assert.True(seen.ContainsKey("orch.inbox.depth"));
    }
}

[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class MetricsCollection
{
    public const string Name = "metrics, alone";
}
