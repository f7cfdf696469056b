using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Npgsql;

namespace Orchestrator.Bench;

/// <summary>
/// One no-op step fanned out over a simulated fleet: real Orleans silo processes on PostgreSQL (one cluster, each hosting
/// the API), one
/// simulated-fleet agent process answering for every host. Measures seconds from the run request to every target
/// finished, targets per second, and the silos' peak resident memory (VmHWM).
/// </summary>
internal static class FanoutBench
{
    public static async Task<int> RunAsync(Args args)
    {
        var silos = args.Int("silos", 1);
        var hosts = args.Int("hosts", 10_000);
        var label = args.Get("label", hosts >= 1000 ? $"{hosts / 1000}k" : hosts.ToString(CultureInfo.InvariantCulture));
        var siloDll = args.Get("silo-dll");
        var agentDll = args.Get("agent-dll");
        var forward = args.Get("heartbeat-forward", "00:00:10");
        var runs = args.Int("runs", 1);
        var idle = TimeSpan.FromSeconds(args.Int("idle-seconds", 0));
        var schema = Bench.NewSchema("fanout");
        var connection = Bench.WithSchema(args.Get("connection"), schema);
        var token = Guid.NewGuid().ToString("N");
        var processes = new List<Process>();
        try
        {
            var ports = new List<int>();
            var siloStart = Stopwatch.StartNew();
            for (var i = 0; i < silos; i++)
            {
                // Orleans silos of one cluster (membership in the schema's table), each on its own silo and gateway port.
                var (silo, port) = await Processes.StartSiloAsync(siloDll, connection, $"fan{i}", token, "--agent-heartbeat-forward-interval", forward);
                processes.Add(silo);
                ports.Add(port);
            }
            siloStart.Stop();
            var server = $"http://127.0.0.1:{ports[0]}";
            processes.Add(await Processes.StartFleetAsync(agentDll, server, token, hosts, connection));
            using var http = Processes.Authorized(new HttpClient { BaseAddress = new Uri(server), Timeout = TimeSpan.FromMinutes(2) });
            await Processes.PutFleetPlanAsync(http, "fanout");
            var suffix = silos == 1 ? "1silo" : $"{silos}silos";
            Report.Figure($"fanout_{label}_silo_start_s_{suffix}", siloStart.Elapsed.TotalSeconds / silos, "s");
            // The first run is a fresh silo's (the figure the issue names); later runs (--runs) find the silos warm
            // (code compiled, activations of the hosts alive) and are reported with a "_warm" suffix.
            for (var runIndex = 0; runIndex < runs; runIndex++)
            {
                var figure = runIndex == 0 ? suffix : $"{suffix}_warm{runIndex}";
                if (await RunOnceAsync(http, connection, processes, silos, hosts, label, figure) != 0)
                {
                    return 1;
                }
            }
            if (idle > TimeSpan.Zero)
            {
                await MeasureIdleAsync(connection, processes, silos, idle, label, suffix);
            }
            var peakMb = processes.Take(silos).Max(p => Processes.PeakMegabytes(p.Id));
            Report.Figure($"fanout_{label}_peak_mb_{suffix}", peakMb, "MB");
            return 0;
        }
        catch (TimeoutException ex)
        {
            // Reported as a figure line, with how large the silos had grown by then.
            var peaks = string.Join(", ", processes.Take(silos).Where(p => !p.HasExited).Select(p => $"{Processes.PeakMegabytes(p.Id):0} MB"));
            Report.Failure($"fanout_{label}", $"{ex.Message} (silo peak memory so far: {peaks})");
            return 1;
        }
        finally
        {
            foreach (var process in processes)
            {
                if (!process.HasExited)
                {
                    process.Kill(entireProcessTree: true);
                }
                await process.WaitForExitAsync();
            }
            await Bench.DropSchemaAsync(connection, schema);
        }
    }

    /// <summary>One run of the plan over every host, to its end; prints its figures with <paramref name="figure"/> as suffix.</summary>
    private static async Task<int> RunOnceAsync(HttpClient http, string connection, List<Process> processes, int silos, int hosts, string label, string figure)
    {
        var cpuBefore = CpuSeconds(processes);
        var clock = Stopwatch.StartNew();
        using var run = await http.PostAsJsonAsync("/api/v1/plans/fanout/run", new { });
        run.EnsureSuccessStatusCode();
        var body = JsonNode.Parse(await run.Content.ReadAsStringAsync())!;
        if (body["id"] is null)
        {
            Report.Failure($"fanout_{label}", $"the run was not applied within the API's wait: {body.ToJsonString()}");
            return 1;
        }
        var id = body["id"]!.GetValue<string>();
        string status = "";
        var lastProgress = TimeSpan.Zero;
        await Processes.WaitAsync(async () =>
        {
            if (clock.Elapsed - lastProgress >= TimeSpan.FromSeconds(1))
            {
                lastProgress = clock.Elapsed;
                Report.Info($"{clock.Elapsed.TotalSeconds:0.0} s: targets {await TargetCountsAsync(connection, id)}");
            }
            using var response = await http.GetAsync($"/api/v1/task-instances/{id}");
            status = response.IsSuccessStatusCode ? JsonNode.Parse(await response.Content.ReadAsStringAsync())!["status"]!.GetValue<string>() : "absent";
            return status is "succeeded" or "failed" or "cancelled";
        }, TimeSpan.FromMinutes(30), "the fan-out finished");
        var seconds = clock.Elapsed.TotalSeconds;
        var cpu = CpuSeconds(processes).Zip(cpuBefore, (after, before) => after - before).ToList();
        if (status != "succeeded")
        {
            Report.Failure($"fanout_{label}", $"instance ended {status}");
            return 1;
        }
        Report.Figure($"fanout_{label}_seconds_{figure}", seconds, "s");
        Report.Figure($"fanout_{label}_targets_per_s_{figure}", hosts / seconds, "targets/s");
        // CPU the silos and the simulated fleet used during the run: less sensitive to a busy machine than the
        // seconds, so two builds can be compared under load (PostgreSQL's share is not counted).
        Report.Figure($"fanout_{label}_silo_cpu_s_{figure}", cpu.Take(silos).Sum(), "s");
        Report.Figure($"fanout_{label}_fleet_cpu_s_{figure}", cpu[silos], "s");
        return 0;
    }

    /// <summary>
    /// The fleet online and nothing running, for <paramref name="idle"/> (after a few seconds for the run's last
    /// writes): the silos' and the whole machine's CPU as a percentage of one core, and host grain state writes a second (the sum of their
    /// versions: every write adds one), which is what keeping a fleet online costs.
    /// </summary>
    private static async Task MeasureIdleAsync(string connection, List<Process> processes, int silos, TimeSpan idle, string label, string suffix)
    {
        await Task.Delay(TimeSpan.FromSeconds(5));
        var cpuBefore = CpuSeconds(processes.Take(silos)).Sum();
        var writesBefore = await HostWritesAsync(connection);
        var machineBefore = CpuSample.Take();
        var clock = Stopwatch.StartNew();
        await Task.Delay(idle);
        var machine = CpuSample.Take().BusySeconds - machineBefore.BusySeconds;
        var cpu = CpuSeconds(processes.Take(silos)).Sum() - cpuBefore;
        var writes = await HostWritesAsync(connection) - writesBefore;
        var seconds = clock.Elapsed.TotalSeconds;
        Report.Figure($"fanout_{label}_idle_silo_cpu_percent_{suffix}", cpu / seconds * 100, "%");
        // Everything busy on the machine (PostgreSQL, the fleet, the silos), as a percentage of one core.
        Report.Figure($"fanout_{label}_idle_machine_cpu_percent_{suffix}", machine / seconds * 100, "%");
        Report.Figure($"fanout_{label}_idle_host_writes_per_s_{suffix}", writes / seconds, "writes/s");
    }

    private static Task<long> HostWritesAsync(string connection) =>
        Bench.ScalarAsync(connection, "SELECT coalesce(sum(version), 0)::bigint FROM orch_grain WHERE grain_type = 'host'");

    /// <summary>Each process's CPU time so far (user + system), in seconds.</summary>
    private static List<double> CpuSeconds(IEnumerable<Process> processes) => processes.Select(p =>
    {
        p.Refresh();
        return p.TotalProcessorTime.TotalSeconds;
    }).ToList();

    internal static async Task<long> OnlineHostsAsync(string connection)
    {
        try
        {
            return await Bench.ScalarAsync(connection, "SELECT count(*) FROM orch_index WHERE kind = 'host' AND status = 1");
        }
        catch (PostgresException)
        {
            return 0; // the table does not exist yet
        }
    }

    /// <summary>Targets of the run by status, for progress lines.</summary>
    private static async Task<string> TargetCountsAsync(string connection, string instanceId)
    {
        await using var ds = NpgsqlDataSource.Create(connection);
        await using var cmd = ds.CreateCommand("SELECT status, count(*) FROM orch_index WHERE kind = 'target' AND part = $1 GROUP BY status ORDER BY status");
        cmd.Parameters.AddWithValue(instanceId + ":0");
        var parts = new List<string>();
        await using var reader = await cmd.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            parts.Add($"{(GrainInterfaces.TargetStatus)reader.GetInt32(0)}={reader.GetInt64(1)}");
        }
        return string.Join(' ', parts);
    }

}
