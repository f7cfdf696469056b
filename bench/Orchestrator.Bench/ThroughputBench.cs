using System.Diagnostics;
using System.Globalization;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;
using Orchestrator.Runtime.Client;
using Orchestrator.Runtime.Storage;

namespace Orchestrator.Bench;

/// <summary>
/// Durable one-way throughput: enqueue a backlog through the client while no silo runs, then start N silo child
/// processes and time until the inbox has no pending message; check that the counters add up.
/// </summary>
internal static class ThroughputBench
{
    public static async Task<int> RunAsync(Args args)
    {
        var baseConnection = args.Get("connection");
        var silos = args.Int("silos", 1);
        var grains = args.Int("grains", 10_000);
        var perGrain = args.Int("per-grain", 20);
        var timeout = TimeSpan.FromSeconds(args.Int("timeout-s", 240));
        var suffix = silos == 1 ? "1silo" : $"{silos}silos";
        var total = (long)grains * perGrain;
        var schema = Bench.NewSchema("tp" + silos.ToString(CultureInfo.InvariantCulture));
        var connection = Bench.WithSchema(baseConnection, schema);
        var options = Bench.Options(connection, "bench-client");
        try
        {
            await using var store = StoreFactory.Create(options, NullLoggerFactory.Instance);
            await store.MigrateAsync(Bench.ShardCount, CancellationToken.None);

            // Phase 1: the backlog, sent concurrently through the client (its batcher groups them per transaction).
            await using (var client = new ClusterClient(store, Bench.Registry, Bench.Services, TimeProvider.System, Bench.ShardCount))
            {
                var refs = Enumerable.Range(0, grains).Select(i => client.GetGrain<ICounterGrain>("c" + i.ToString(CultureInfo.InvariantCulture))).ToArray();
                var sw = Stopwatch.StartNew();
                var sends = new List<Task>((int)total);
                for (var round = 0; round < perGrain; round++)
                {
                    foreach (var grain in refs)
                    {
                        sends.Add(grain.Add(1));
                    }
                }
                await Task.WhenAll(sends);
                var enqueueRate = total / sw.Elapsed.TotalSeconds;
                if (silos == 1)
                {
                    Report.Figure("enqueue_per_s", enqueueRate, "msg/s");
                }
                else
                {
                    Report.Info(string.Create(CultureInfo.InvariantCulture, $"enqueue_per_s ({suffix} run) {enqueueRate:0} msg/s"));
                }
            }

            await using var db = NpgsqlDataSource.Create(connection);
            var pending = await PendingAsync(db);
            if (pending != total)
            {
                Report.Failure("messages_per_s_" + suffix, $"pending after enqueue is {pending}, expected {total}");
            }

            // Phase 2: silos in child processes, timed from spawn until nothing is pending.
            var xact0 = await XactAsync(db);
            var cpu0 = CpuSample.Take();
            var children = Enumerable.Range(0, silos).Select(i => SiloProcess.Start(connection, $"silo{i}")).ToList();
            var clock = Stopwatch.StartNew();
            var lastReport = TimeSpan.Zero;
            while (pending > 0 && clock.Elapsed < timeout)
            {
                await Task.Delay(TimeSpan.FromMilliseconds(250), TimeProvider.System);
                pending = await PendingAsync(db);
                if (clock.Elapsed - lastReport > TimeSpan.FromSeconds(5))
                {
                    lastReport = clock.Elapsed;
                    Report.Info(string.Create(CultureInfo.InvariantCulture, $"{suffix}: {clock.Elapsed.TotalSeconds:0}s, {total - pending} applied, {(total - pending) / clock.Elapsed.TotalSeconds:0} msg/s"));
                }
            }
            var elapsed = clock.Elapsed;
            var cpu1 = CpuSample.Take();
            var xact1 = await XactAsync(db);
            var siloCpu = children.Sum(c => c.CpuSeconds());
            var applied = total - pending;
            foreach (var child in children)
            {
                await child.StopAsync();
            }

            var rate = applied / elapsed.TotalSeconds;
            Report.Figure("messages_per_s_" + suffix, rate, "msg/s");
            var wall = elapsed.TotalSeconds;
            var busy = cpu1.BusySeconds - cpu0.BusySeconds;
            Report.Info(string.Create(CultureInfo.InvariantCulture,
                $"{suffix}: drain {wall:0.0}s wall; machine CPU busy {busy:0.0}s of {wall * Environment.ProcessorCount:0.0}s ({busy / wall * 100:0}% of one core), iowait {cpu1.IoWaitSeconds - cpu0.IoWaitSeconds:0.0}s; silo processes {siloCpu:0.0}s ({siloCpu / wall * 100:0}%); database + rest ≈ {busy - siloCpu:0.0}s ({(busy - siloCpu) / wall * 100:0}%)"));
            Report.Info($"{suffix}: database-wide during the drain (other sessions included): {xact1.Commits - xact0.Commits} commits, {xact1.Rollbacks - xact0.Rollbacks} rollbacks");
            if (pending > 0)
            {
                Report.Failure("messages_per_s_" + suffix, $"timed out after {timeout.TotalSeconds:0}s with {pending} of {total} still pending; rate is over what was applied");
            }

            var sum = await CounterSumAsync(db);
            if (pending == 0 && sum != total)
            {
                // The inbox rows are consumed in the same transaction as the state, so this should agree at once;
                // allow a moment in case of a straggling commit.
                await Task.Delay(TimeSpan.FromSeconds(1), TimeProvider.System);
                sum = await CounterSumAsync(db);
            }
            if (sum != total)
            {
                Report.Failure("messages_per_s_" + suffix, $"sum of counters is {sum}, expected {total}");
            }
            else
            {
                Report.Info($"{suffix}: sum of counters {sum} = messages sent");
            }
            return 0;
        }
        finally
        {
            await Bench.DropSchemaAsync(baseConnection, schema);
        }
    }

    private static async Task<long> PendingAsync(NpgsqlDataSource db)
    {
        await using var cmd = db.CreateCommand("SELECT count(*) FROM orch_inbox WHERE status = 0");
        return (long)(await cmd.ExecuteScalarAsync())!;
    }

    private static async Task<(long Commits, long Rollbacks)> XactAsync(NpgsqlDataSource db)
    {
        await using var cmd = db.CreateCommand("SELECT xact_commit, xact_rollback FROM pg_stat_database WHERE datname = current_database()");
        await using var reader = await cmd.ExecuteReaderAsync();
        await reader.ReadAsync();
        return (reader.GetInt64(0), reader.GetInt64(1));
    }

    private static async Task<long> CounterSumAsync(NpgsqlDataSource db)
    {
        await using var cmd = db.CreateCommand(
            "SELECT coalesce(sum((convert_from(state, 'UTF8')::jsonb ->> 'count')::bigint), 0)::bigint FROM orch_grain_state WHERE grain_type = 'CounterGrain'");
        return (long)(await cmd.ExecuteScalarAsync())!;
    }
}

/// <summary>A silo running as a child process of this program (<c>Orchestrator.Bench silo ...</c>).</summary>
internal sealed class SiloProcess
{
    private readonly Process _process;
    private readonly Task _stderr;

    private SiloProcess(Process process)
    {
        _process = process;
        _stderr = Task.Run(async () =>
        {
            while (await process.StandardError.ReadLineAsync() is { } line)
            {
                Console.Error.WriteLine(line);
            }
        });
    }

    public static SiloProcess Start(string connection, string name)
    {
        var start = new ProcessStartInfo { RedirectStandardInput = true, RedirectStandardError = true, RedirectStandardOutput = false, UseShellExecute = false };
        var self = Environment.ProcessPath!;
        if (Path.GetFileNameWithoutExtension(self) == "dotnet")
        {
            start.FileName = self;
            start.ArgumentList.Add(typeof(SiloProcess).Assembly.Location);
        }
        else
        {
            start.FileName = self;
        }
        foreach (var a in new[] { "silo", "--connection", connection, "--name", name })
        {
            start.ArgumentList.Add(a);
        }
        return new SiloProcess(Process.Start(start)!);
    }

    public double CpuSeconds() => _process.HasExited ? 0 : CpuSample.ProcessCpuSeconds(_process.Id);

    /// <summary>Closes the child's standard input (its signal to stop gracefully) and waits for it.</summary>
    public async Task StopAsync()
    {
        _process.StandardInput.Close();
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        try
        {
            await _process.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync(CancellationToken.None);
        }
        await _stderr;
        _process.Dispose();
    }
}
