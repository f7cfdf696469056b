using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using Npgsql;

namespace Orchestrator.Bench;

/// <summary>
/// Many plans, each with a schedule firing every minute, on one real Orleans silo process on PostgreSQL (schedules wake
/// through Orleans reminders toward their next due time). Measures, over whole
/// minutes after set-up, how late each fire was handled (the schedule's turn that decided it, against its due time) and
/// how late its task instance was created, and the silo's CPU while idle between fires.
/// </summary>
/// <remarks>
/// Each run is a real task instance whose one step targets a label no host has, so it ends at once (failed: no hosts
/// matched) and the default history limit deletes the one before it: the scheduler and the engine's per-run work
/// without any agent work. Idle CPU is sampled from second 40 to second 55 of each minute, once the minute's fires are
/// done (checked: a window with runs still being created is reported and left out).
/// </remarks>
internal static class CronBench
{
    public static async Task<int> RunAsync(Args args)
    {
        var plans = args.Int("plans", 10_000);
        var minutes = args.Int("minutes", 5);
        var siloDll = args.Get("silo-dll");
        var schema = Bench.NewSchema("cron");
        var connection = Bench.WithSchema(args.Get("connection"), schema);
        Process? silo = null;
        try
        {
            (silo, var port) = await Processes.StartSiloAsync(siloDll, connection, "cron0", Guid.NewGuid().ToString("N"));
            using var http = Processes.Authorized(new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}"), Timeout = TimeSpan.FromMinutes(2) });

            var setup = Stopwatch.StartNew();
            await Parallel.ForEachAsync(Enumerable.Range(0, plans), new ParallelOptions { MaxDegreeOfParallelism = 16 }, async (i, ct) =>
            {
                var id = PlanId(i);
                using (var plan = new StringContent($"name: {id}\nsteps:\n  - name: noop\n    script: \"true\"\n    targets:\n      selector: bench=none\n", Encoding.UTF8, "application/yaml"))
                using (var put = await http.PutAsync($"/api/v1/plans/{id}", plan, ct))
                {
                    Ensure(put, "PUT plan");
                }
                await Processes.WaitAsync(async () => (await http.GetAsync($"/api/v1/plans/{id}", ct)).IsSuccessStatusCode, TimeSpan.FromMinutes(2), "plan stored");
                using var schedule = await http.PutAsJsonAsync($"/api/v1/plans/{id}/schedules/m", new { cron = "* * * * *" }, ct);
                Ensure(schedule, "PUT schedule");
            });
            Report.Info($"{plans} plans with a schedule each after {setup.Elapsed.TotalSeconds:0.0} s");

            // Measure whole minutes: from the next minute boundary (its fires are the first counted) for the given minutes.
            var now = TimeProvider.System.GetUtcNow();
            var from = new DateTimeOffset(now.Ticks / TimeSpan.TicksPerMinute * TimeSpan.TicksPerMinute, TimeSpan.Zero).AddMinutes(1);
            var until = from.AddMinutes(minutes);
            var idle = new List<double>();
            for (var m = from; m < until; m = m.AddMinutes(1))
            {
                await DelayUntil(m.AddSeconds(40));
                var created = await InstancesForMinuteAsync(connection, m);
                var cpu0 = CpuSample.ProcessCpuSeconds(silo.Id);
                var wall = Stopwatch.StartNew();
                await DelayUntil(m.AddSeconds(55));
                var cpu = CpuSample.ProcessCpuSeconds(silo.Id) - cpu0;
                var after = await InstancesForMinuteAsync(connection, m);
                var percent = cpu / wall.Elapsed.TotalSeconds * 100;
                if (after != created || created < plans)
                {
                    Report.Info($"minute {m:HH:mm}: {created} runs by second 40, {after} by 55 of {plans}: window not idle ({percent:0.0} % CPU), left out");
                }
                else
                {
                    idle.Add(percent);
                    Report.Info($"minute {m:HH:mm}: all {plans} runs created; idle CPU {percent:0.00} % of one core");
                }
            }
            await DelayUntil(until.AddSeconds(5));

            var (fire, run) = await LatenessAsync(http, plans, from, until);
            if (fire.Count == 0)
            {
                Report.Failure("cron_lateness", "no fires were recorded in the measured minutes");
                return 1;
            }
            Report.Info($"{fire.Count} fires of {plans * minutes} due in {minutes} minutes; {run.Count} task instances created");
            Report.Figure("cron_fires", fire.Count, "fires");
            Report.Figure("cron_fires_expected", plans * minutes, "fires");
            Report.Figure("cron_lateness_p50_ms", Report.Percentile(fire, 50), "ms");
            Report.Figure("cron_lateness_p99_ms", Report.Percentile(fire, 99), "ms");
            Report.Figure("cron_lateness_max_ms", fire.Max(), "ms");
            Report.Figure("cron_run_created_lateness_p50_ms", Report.Percentile(run, 50), "ms");
            Report.Figure("cron_run_created_lateness_p99_ms", Report.Percentile(run, 99), "ms");
            if (idle.Count > 0)
            {
                Report.Figure("cron_idle_cpu_percent", idle.Average(), "%");
            }
            else
            {
                Report.Failure("cron_idle_cpu_percent", "no idle window: the fires of a minute were never done by its 40th second");
            }
            Report.Figure("cron_peak_mb", Processes.PeakMegabytes(silo.Id), "MB");
            return 0;
        }
        finally
        {
            if (silo is not null && !silo.HasExited)
            {
                silo.Kill(entireProcessTree: true);
                await silo.WaitForExitAsync();
            }
            await Bench.DropSchemaAsync(connection, schema);
        }
    }

    private static string PlanId(int i) => "cb" + i.ToString("D5", CultureInfo.InvariantCulture);

    private static void Ensure(HttpResponseMessage response, string what)
    {
        if (!response.IsSuccessStatusCode)
        {
            throw new InvalidOperationException($"{what}: {(int)response.StatusCode} {response.Content.ReadAsStringAsync().GetAwaiter().GetResult()}");
        }
    }

    private static async Task DelayUntil(DateTimeOffset at)
    {
        var wait = at - TimeProvider.System.GetUtcNow();
        if (wait > TimeSpan.Zero)
        {
            await Task.Delay(wait, TimeProvider.System);
        }
    }

    /// <summary>Task instances created for the fires due at <paramref name="minute"/> (their ids end with the due time).</summary>
    private static Task<long> InstancesForMinuteAsync(string connection, DateTimeOffset minute) =>
        Bench.ScalarAsync(connection, "SELECT count(*) FROM orch_index WHERE kind = 'instance' AND key LIKE $1",
            "%.m." + minute.UtcDateTime.ToString("yyyyMMdd'T'HHmmss'Z'", CultureInfo.InvariantCulture));

    /// <summary>
    /// A GET that rides out a busy silo: 503 (a grain not reachable yet, with Retry-After) and requests past the client's
    /// timeout are tried again, up to 20 times, a second apart. Null for 404 when <paramref name="absentOk"/>.
    /// </summary>
    private static async Task<string?> GetWithRetriesAsync(HttpClient http, string path, CancellationToken ct, bool absentOk = false)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                using var response = await http.GetAsync(path, ct);
                if (response.IsSuccessStatusCode)
                {
                    return await response.Content.ReadAsStringAsync(ct);
                }
                if (absentOk && response.StatusCode == System.Net.HttpStatusCode.NotFound)
                {
                    return null;
                }
                if (response.StatusCode != System.Net.HttpStatusCode.ServiceUnavailable || attempt >= 20)
                {
                    throw new InvalidOperationException($"GET {path}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync(ct)}");
                }
            }
            catch (TaskCanceledException) when (!ct.IsCancellationRequested && attempt < 20)
            {
                // past the client's timeout: try again
            }
            await Task.Delay(TimeSpan.FromSeconds(1), TimeProvider.System, ct);
        }
    }

    /// <summary>
    /// Fire lateness (the schedule's run record: started at minus due time) for every run due in [from, until), and
    /// run lateness (the task instance's creation time minus its due time) for the runs still kept.
    /// </summary>
    private static async Task<(List<double> Fire, List<double> Run)> LatenessAsync(HttpClient http, int plans, DateTimeOffset from, DateTimeOffset until)
    {
        var fire = new List<double>();
        var run = new List<double>();
        var gate = new object();
        await Parallel.ForEachAsync(Enumerable.Range(0, plans), new ParallelOptions { MaxDegreeOfParallelism = 16 }, async (i, ct) =>
        {
            var id = PlanId(i);
            var view = JsonNode.Parse((await GetWithRetriesAsync(http, $"/api/v1/plans/{id}/schedules/m?preview=0", ct))!)!;
            var mine = new List<double>();
            foreach (var r in view["runs"]!.AsArray())
            {
                var due = r!["dueTime"]?.GetValue<DateTimeOffset>();
                if (due is { } d && d >= from && d < until)
                {
                    mine.Add((r["startedAt"]!.GetValue<DateTimeOffset>() - d).TotalMilliseconds);
                }
            }
            // Runs beyond the history limit are deleted and dropped from the record; the skipped ones say why.
            var skipped = view["skippedFires"]!.AsArray().Count(s => s!["dueTime"]!.GetValue<DateTimeOffset>() is var d && d >= from && d < until);
            if (skipped > 0)
            {
                Report.Info($"{id}: {skipped} fires skipped");
            }
            // Run lateness from the runs still kept (the history limit deletes older ones).
            var instances = new List<double>();
            foreach (var r in view["runs"]!.AsArray().Where(r => !r!["deleted"]!.GetValue<bool>()))
            {
                var text = await GetWithRetriesAsync(http, $"/api/v1/task-instances/{r!["instanceId"]!.GetValue<string>()}", ct, absentOk: true);
                if (text is not null)
                {
                    var instance = JsonNode.Parse(text)!;
                    instances.Add((instance["createdAt"]!.GetValue<DateTimeOffset>() - instance["dueTime"]!.GetValue<DateTimeOffset>()).TotalMilliseconds);
                }
            }
            lock (gate)
            {
                fire.AddRange(mine);
                run.AddRange(instances);
            }
        });
        return (fire, run);
    }
}
