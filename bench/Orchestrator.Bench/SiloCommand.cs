using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Globalization;
using Orchestrator.Runtime.Diagnostics;
using Orchestrator.Runtime.Hosting;

namespace Orchestrator.Bench;

/// <summary>
/// <c>silo --connection CS --name NAME</c>: runs one silo until standard input closes, then stops it gracefully and
/// reports its turns, commit batch sizes and commit latency on standard error.
/// </summary>
internal static class SiloCommand
{
    public static async Task<int> RunAsync(Args args)
    {
        var name = args.Get("name");
        var options = Bench.Options(args.Get("connection"), name);
        var loggerFactory = Bench.Logging;
        var commits = 0L;
        var batchTotal = 0L;
        var batchMax = 0;
        var commitMs = 0.0;
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name == SiloMetrics.MeterName && instrument.Name is "orch.commit.batch_size" or "orch.commit.duration")
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<int>((_, value, _, _) =>
        {
            Interlocked.Increment(ref commits);
            Interlocked.Add(ref batchTotal, value);
            int seen;
            while (value > (seen = Volatile.Read(ref batchMax)) && Interlocked.CompareExchange(ref batchMax, value, seen) != seen)
            {
            }
        });
        var commitLock = new Lock();
        var commitMaxMs = 0.0;
        var slowCommits = 0;
        listener.SetMeasurementEventCallback<double>((_, value, _, _) =>
        {
            lock (commitLock)
            {
                commitMs += value;
                commitMaxMs = Math.Max(commitMaxMs, value);
                slowCommits += value > 1000 ? 1 : 0;
            }
        });
        listener.Start();

        var started = Stopwatch.StartNew();
        await using var host = await SiloHost.StartAsync(options, Bench.Registry, Bench.Services, TimeProvider.System, loggerFactory, CancellationToken.None);
        Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture, $"info {name}: started in {started.ElapsedMilliseconds} ms with {host.Silo.Shards.Count} shards"));
        while (await Console.In.ReadLineAsync() is not null)
        {
        }
        var cpu = Process.GetCurrentProcess().TotalProcessorTime.TotalSeconds;
        var turns = host.Silo.Metrics.TurnsCommitted;
        await host.StopAsync(CancellationToken.None);
        double total, max;
        int slow;
        lock (commitLock)
        {
            (total, max, slow) = (commitMs, commitMaxMs, slowCommits);
        }
        var n = Interlocked.Read(ref commits);
        Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"info {name}: turns {turns}, commit transactions {n}, mean batch {(n == 0 ? 0 : (double)batchTotal / n):0.0} turns, max batch {batchMax}, mean commit {(n == 0 ? 0 : total / n):0.0} ms, max commit {max:0} ms, commits over 1 s {slow}, total commit time {total / 1000:0.0} s (overlapping, {options.CommitConcurrency} committers), process CPU {cpu:0.0} s"));
        return 0;
    }
}
