using System.Diagnostics;
using Orchestrator.Runtime.Hosting;

namespace Orchestrator.Bench;

/// <summary>Acknowledgement latency of client commands, and reminder lateness, with one in-process silo.</summary>
internal static class LatencyBench
{
    public static async Task<int> AckAsync(Args args)
    {
        var baseConnection = args.Get("connection");
        var warmup = args.Int("warmup", 200);
        var calls = args.Int("calls", 2000);
        var schema = Bench.NewSchema("ack");
        try
        {
            await using var host = await SiloHost.StartAsync(Bench.Options(Bench.WithSchema(baseConnection, schema), "ack-silo"), Bench.Registry, Bench.Services,
                TimeProvider.System, Bench.Logging, CancellationToken.None);
            var grain = host.Client.GetGrain<ICounterGrain>("ack");
            for (var i = 0; i < warmup; i++)
            {
                await grain.Add(1);
            }
            var times = new List<double>(calls);
            for (var i = 0; i < calls; i++)
            {
                var t0 = Stopwatch.GetTimestamp();
                await grain.Add(1);
                times.Add(Stopwatch.GetElapsedTime(t0).TotalMilliseconds);
            }
            Report.Figure("ack_p50_ms", Report.Percentile(times, 50), "ms");
            Report.Figure("ack_p99_ms", Report.Percentile(times, 99), "ms");
            Report.Info($"ack: max {times.Max():0.00} ms, mean {times.Average():0.00} ms over {calls} calls");
            await host.StopAsync(CancellationToken.None);
            return 0;
        }
        finally
        {
            await Bench.DropSchemaAsync(baseConnection, schema);
        }
    }

    public static async Task<int> RemindersAsync(Args args)
    {
        var baseConnection = args.Get("connection");
        var grains = args.Int("grains", 10_000);
        var runFor = TimeSpan.FromSeconds(args.Int("seconds", 60));
        var skip = TimeSpan.FromSeconds(args.Int("skip-seconds", 10));
        var schema = Bench.NewSchema("rem");
        try
        {
            var options = Bench.Options(Bench.WithSchema(baseConnection, schema), "reminder-silo");
            options.ReminderPollInterval = TimeSpan.FromMilliseconds(args.Int("poll-ms", (int)options.ReminderPollInterval.TotalMilliseconds));
            options.ReminderLookahead = TimeSpan.FromMilliseconds(args.Int("lookahead-ms", (int)options.ReminderLookahead.TotalMilliseconds));
            Report.Info($"reminders: ReminderPollInterval {options.ReminderPollInterval.TotalMilliseconds} ms (default), period {ReminderBenchGrain.Period.TotalSeconds} s");
            await using var host = await SiloHost.StartAsync(options, Bench.Registry, Bench.Services, TimeProvider.System, Bench.Logging, CancellationToken.None);
            var sw = Stopwatch.StartNew();
            await Task.WhenAll(Enumerable.Range(0, grains).Select(i => host.Client.GetGrain<IReminderBenchGrain>("r" + i).Start()));
            while (LatenessCollector.RegisteredCount < grains && sw.Elapsed < TimeSpan.FromMinutes(2))
            {
                await Task.Delay(TimeSpan.FromMilliseconds(50), TimeProvider.System);
            }
            Report.Info($"reminders: {LatenessCollector.RegisteredCount} of {grains} registered after {sw.Elapsed.TotalSeconds:0.0} s");
            var registered = Stopwatch.GetTimestamp();
            var measureFrom = registered + (long)(skip.TotalSeconds * Stopwatch.Frequency);
            var runClock = Stopwatch.StartNew();
            while (runClock.Elapsed < runFor)
            {
                await Task.Delay(TimeSpan.FromSeconds(Math.Min(5, (runFor - runClock.Elapsed).TotalSeconds)));
                Report.Info($"reminders: {runClock.Elapsed.TotalSeconds:0} s, {LatenessCollector.LatenessSince(registered).Count} ticks so far, {host.Silo.Metrics.TurnsCommitted} turns committed");
            }
            var lateness = LatenessCollector.LatenessSince(measureFrom);
            Report.Figure("reminder_lateness_p50_ms", Report.Percentile(lateness, 50), "ms");
            Report.Figure("reminder_lateness_p99_ms", Report.Percentile(lateness, 99), "ms");
            Report.Figure("reminder_ticks", lateness.Count, "ticks");
            if (lateness.Count == 0)
            {
                Report.Failure("reminder_lateness", "no reminder tick arrived in the measurement window");
            }
            var expected = grains * (runFor - skip).TotalSeconds / ReminderBenchGrain.Period.TotalSeconds;
            Report.Info($"reminders: {lateness.Count} ticks in the {(runFor - skip).TotalSeconds:0} s window (≈ {expected:0} due), max lateness {(lateness.Count == 0 ? 0 : lateness.Max()):0} ms");
            await host.StopAsync(CancellationToken.None);
            return 0;
        }
        finally
        {
            await Bench.DropSchemaAsync(baseConnection, schema);
        }
    }
}
