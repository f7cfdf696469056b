using System.Reflection;
using Microsoft.Extensions.Logging;
using Npgsql;
using Orchestrator.Runtime.Blobs;
using Orchestrator.Runtime.Hosting;
using Orchestrator.Runtime.Indexes;
using Orchestrator.Runtime.Logs;

namespace Orchestrator.Runtime.Storage.Postgres;

/// <summary>
/// The PostgreSQL store: one <see cref="NpgsqlDataSource"/>, every multi-row write as one statement over arrays,
/// READ COMMITTED transactions, LISTEN/NOTIFY as a wake-up hint. Tables live in the connection's search path, so
/// a schema per test (or per cluster) isolates them.
/// </summary>
internal sealed partial class PostgresStore : IRuntimeStore
{
    private readonly NpgsqlDataSource _dataSource;
    private readonly string _channel;
    private readonly ILogger _logger;

    public PostgresStore(RuntimeOptions options, ILogger logger)
    {
        var builder = new NpgsqlConnectionStringBuilder(options.ConnectionString);
        var schema = string.IsNullOrEmpty(builder.SearchPath) ? "public" : builder.SearchPath.Split(',')[0].Trim();
        Schema = schema;
        _channel = "orch_inbox_" + schema;
        _dataSource = NpgsqlDataSource.Create(builder);
        _logger = logger;
        Indexes = new PostgresIndexStore(_dataSource);
        Logs = new PostgresLogStore(_dataSource, options.LogMaxBytesPerStream, logger);
        Blobs = new PostgresBlobStore(_dataSource, options.MaxBlobBytes);
    }

    public string Kind => "postgres";

    public IIndexReader Indexes { get; }

    public ILogStore Logs { get; }

    public IBlobStore Blobs { get; }

    /// <summary>The schema the tables live in (the first entry of the search path).</summary>
    public string Schema { get; }

    public async Task MigrateAsync(int shardCount, CancellationToken cancellationToken)
    {
        await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken);
        await using var tx = await connection.BeginTransactionAsync(cancellationToken);
        await Exec(connection, tx, $"CREATE SCHEMA IF NOT EXISTS \"{Schema}\"", cancellationToken);
        // One migrator at a time per schema; the lock ends with the transaction.
        await Exec(connection, tx, $"SELECT pg_advisory_xact_lock(hashtext('orch_migrate_{Schema}'))", cancellationToken);
        await Exec(connection, tx, "CREATE TABLE IF NOT EXISTS orch_schema_migration (version int PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())", cancellationToken);
        var applied = new HashSet<int>();
        await using (var cmd = new NpgsqlCommand("SELECT version FROM orch_schema_migration", connection, tx))
        await using (var reader = await cmd.ExecuteReaderAsync(cancellationToken))
        {
            while (await reader.ReadAsync(cancellationToken))
            {
                applied.Add(reader.GetInt32(0));
            }
        }
        foreach (var (version, name, sql) in Migrations())
        {
            if (applied.Contains(version))
            {
                continue;
            }
            await Exec(connection, tx, sql, cancellationToken);
            await using var record = new NpgsqlCommand("INSERT INTO orch_schema_migration (version, name) VALUES (@v, @n)", connection, tx);
            record.Parameters.AddWithValue("v", version);
            record.Parameters.AddWithValue("n", name);
            await record.ExecuteNonQueryAsync(cancellationToken);
            Log.MigrationApplied(_logger, version, name, Schema);
        }
        await EnsureShardCount(connection, tx, shardCount, cancellationToken);
        await tx.CommitAsync(cancellationToken);
    }

    private static async Task EnsureShardCount(NpgsqlConnection connection, NpgsqlTransaction tx, int shardCount, CancellationToken cancellationToken)
    {
        await using var cmd = new NpgsqlCommand(
            "INSERT INTO orch_meta (key, value) VALUES ('shard_count', @n) ON CONFLICT (key) DO UPDATE SET value = orch_meta.value RETURNING value",
            connection, tx);
        cmd.Parameters.AddWithValue("n", shardCount.ToString(System.Globalization.CultureInfo.InvariantCulture));
        var stored = (string)(await cmd.ExecuteScalarAsync(cancellationToken))!;
        if (stored != shardCount.ToString(System.Globalization.CultureInfo.InvariantCulture))
        {
            throw new InvalidOperationException($"ShardCount is {shardCount} but this cluster was created with {stored} shards; the shard count is fixed when a cluster is created.");
        }
        await using var rows = new NpgsqlCommand("INSERT INTO orch_shard_lease (shard_id) SELECT generate_series(0, @n - 1) ON CONFLICT DO NOTHING", connection, tx);
        rows.Parameters.AddWithValue("n", shardCount);
        await rows.ExecuteNonQueryAsync(cancellationToken);
    }

    internal static IEnumerable<(int Version, string Name, string Sql)> Migrations()
    {
        var assembly = typeof(PostgresStore).Assembly;
        const string prefix = "Orchestrator.Runtime.Storage.Postgres.Migrations.";
        return assembly.GetManifestResourceNames()
            .Where(n => n.StartsWith(prefix, StringComparison.Ordinal))
            .Select(n => (Name: n[prefix.Length..^4], Resource: n))
            .Select(x => (int.Parse(x.Name[1..4], System.Globalization.CultureInfo.InvariantCulture), x.Name, Read(assembly, x.Resource)))
            .OrderBy(x => x.Item1);
    }

    private static string Read(Assembly assembly, string resource)
    {
        using var stream = assembly.GetManifestResourceStream(resource)!;
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }

    public async Task ListenAsync(Action wake, CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken);
                connection.Notification += (_, _) => wake();
                await Exec(connection, null, $"LISTEN \"{_channel}\"", cancellationToken);
                wake(); // messages may have arrived while we were not listening
                while (true)
                {
                    await connection.WaitAsync(cancellationToken);
                }
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex) when (ex is NpgsqlException or InvalidOperationException)
            {
                // Polling covers the gap; reconnect after a pause.
                Log.ListenFailed(_logger, ex);
                await Task.Delay(TimeSpan.FromSeconds(1), TimeProvider.System, cancellationToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            }
        }
    }

    private static async Task Exec(NpgsqlConnection connection, NpgsqlTransaction? tx, string sql, CancellationToken cancellationToken)
    {
        await using var cmd = new NpgsqlCommand(sql, connection, tx);
        await cmd.ExecuteNonQueryAsync(cancellationToken);
    }

    private static string Notify(string channel) => $"SELECT pg_notify('{channel}', '')";

    public ValueTask DisposeAsync() => _dataSource.DisposeAsync();

    private static partial class Log
    {
        [LoggerMessage(EventId = 1001, Level = LogLevel.Information, Message = "Applied migration {Version} ({Name}) to schema {Schema}")]
        public static partial void MigrationApplied(ILogger logger, int version, string name, string schema);

        [LoggerMessage(EventId = 1002, Level = LogLevel.Warning, Message = "LISTEN connection failed; falling back to polling until it reconnects")]
        public static partial void ListenFailed(ILogger logger, Exception exception);
    }
}
