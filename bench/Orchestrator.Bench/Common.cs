using System.Diagnostics;
using System.Globalization;
using Npgsql;

namespace Orchestrator.Bench;

/// <summary>Command-line arguments as <c>--name value</c> pairs.</summary>
internal sealed class Args
{
    private readonly Dictionary<string, string> _values = new(StringComparer.Ordinal);

    public Args(IEnumerable<string> args)
    {
        string? name = null;
        foreach (var arg in args)
        {
            if (arg.StartsWith("--", StringComparison.Ordinal))
            {
                name = arg[2..];
                _values[name] = "";
            }
            else if (name is not null)
            {
                _values[name] = arg;
                name = null;
            }
        }
    }

    public string Get(string name, string? fallback = null) =>
        _values.TryGetValue(name, out var v) ? v : fallback ?? throw new ArgumentException($"missing --{name}");

    public int Int(string name, int fallback) => _values.TryGetValue(name, out var v) ? int.Parse(v, CultureInfo.InvariantCulture) : fallback;
}

/// <summary>Figures in the suite's output format, and diagnostics on standard error.</summary>
internal static class Report
{
    public static void Figure(string name, double value, string unit) =>
        Console.Out.WriteLine(string.Create(CultureInfo.InvariantCulture, $"bench {name} {value:0.##} {unit}"));

    public static void Failure(string name, string why) => Console.Out.WriteLine($"bench-failure {name} {why}");

    public static void Info(string text) => Console.Error.WriteLine("info " + text);

    public static double Percentile(List<double> values, double p)
    {
        if (values.Count == 0)
        {
            return double.NaN;
        }
        values.Sort();
        var rank = (int)Math.Ceiling(p / 100.0 * values.Count) - 1;
        return values[Math.Clamp(rank, 0, values.Count - 1)];
    }
}

/// <summary>A fresh schema per run.</summary>
internal static class Bench
{

    /// <summary>A schema name unique to this run and purpose.</summary>
    public static string NewSchema(string purpose) =>
        string.Create(CultureInfo.InvariantCulture, $"bench_{purpose}_{Environment.ProcessId}_{TimeProvider.System.GetUtcNow().ToUnixTimeMilliseconds()}");

    public static string WithSchema(string connectionString, string schema) =>
        new NpgsqlConnectionStringBuilder(connectionString) { SearchPath = schema }.ConnectionString;

    /// <summary>One <c>bigint</c> read from the bench's schema (counts and sums for figures and progress).</summary>
    public static async Task<long> ScalarAsync(string connection, string sql, params object[] parameters)
    {
        await using var ds = NpgsqlDataSource.Create(connection);
        await using var cmd = ds.CreateCommand(sql);
        foreach (var parameter in parameters)
        {
            cmd.Parameters.AddWithValue(parameter);
        }
        return (long)(await cmd.ExecuteScalarAsync())!;
    }

    /// <summary>
    /// Drops the schemas of earlier bench processes that are gone (<c>bench_{purpose}_{pid}_{ms}</c> whose pid is not a
    /// running process): a bench killed mid-run cannot drop its own, and one left from a 100k run holds millions of rows
    /// the next runs' autovacuum and checkpoints pay for. Says which it dropped.
    /// </summary>
    public static async Task DropOrphanSchemasAsync(string connectionString)
    {
        await using var ds = NpgsqlDataSource.Create(new NpgsqlConnectionStringBuilder(connectionString) { SearchPath = null }.ConnectionString);
        var orphans = new List<string>();
        await using (var list = ds.CreateCommand("SELECT nspname FROM pg_namespace WHERE nspname LIKE 'bench\\_%'"))
        await using (var reader = await list.ExecuteReaderAsync())
        {
            while (await reader.ReadAsync())
            {
                var name = reader.GetString(0);
                if (OwnerPid(name) is { } pid && !Directory.Exists($"/proc/{pid}"))
                {
                    orphans.Add(name);
                }
            }
        }
        foreach (var schema in orphans)
        {
            await DropAsync(ds, schema);
            Report.Info($"dropped {schema}, left by a bench process that is gone");
        }
    }

    /// <summary>The pid in a bench schema's name (<c>bench_{purpose}_{pid}_{ms}</c>); null for a name of another form.</summary>
    internal static int? OwnerPid(string schema)
    {
        var parts = schema.Split('_');
        return parts.Length >= 4 && parts[0] == "bench" && long.TryParse(parts[^1], NumberStyles.None, CultureInfo.InvariantCulture, out _)
            && int.TryParse(parts[^2], NumberStyles.None, CultureInfo.InvariantCulture, out var pid) ? pid : null;
    }

    public static async Task DropSchemaAsync(string connectionString, string schema)
    {
        await using var ds = NpgsqlDataSource.Create(new NpgsqlConnectionStringBuilder(connectionString) { SearchPath = null }.ConnectionString);
        await DropAsync(ds, schema);
    }

    private static async Task DropAsync(NpgsqlDataSource ds, string schema)
    {
        await using var cmd = ds.CreateCommand($"DROP SCHEMA IF EXISTS \"{schema}\" CASCADE");
        await cmd.ExecuteNonQueryAsync();
    }
}

/// <summary>Machine-wide CPU time from /proc/stat, to tell database CPU from silo CPU.</summary>
internal readonly record struct CpuSample(double BusySeconds, double IdleSeconds, double IoWaitSeconds, long Timestamp)
{
    public static CpuSample Take()
    {
        var parts = File.ReadLines("/proc/stat").First().Split(' ', StringSplitOptions.RemoveEmptyEntries).Skip(1)
            .Select(s => long.Parse(s, CultureInfo.InvariantCulture) / 100.0).ToArray();
        // user nice system idle iowait irq softirq steal
        var busy = parts[0] + parts[1] + parts[2] + parts[5] + parts[6] + (parts.Length > 7 ? parts[7] : 0);
        return new CpuSample(busy, parts[3], parts[4], Stopwatch.GetTimestamp());
    }

    public static double ProcessCpuSeconds(int pid)
    {
        var stat = File.ReadAllText($"/proc/{pid}/stat");
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        // fields[11] = utime, fields[12] = stime (1-based 14 and 15 in proc(5))
        return (long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture)) / 100.0;
    }
}
