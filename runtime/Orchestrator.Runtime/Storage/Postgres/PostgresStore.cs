using Microsoft.Extensions.Logging;
using Npgsql;
using Orchestrator.Runtime.Blobs;
using Orchestrator.Runtime.Hosting;
using Orchestrator.Runtime.Indexes;
using Orchestrator.Runtime.Logs;
using Orchestrator.Runtime.Persistence.Migrations;

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
        var schema = PostgresMigrator.SchemaOf(builder);
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
        await PostgresMigrator.ApplyAsync(connection, tx, Schema, [Migrations()], _logger, cancellationToken);
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

    /// <summary>The old runtime's own migrations (versions 1–99).</summary>
    internal static MigrationSource Migrations() =>
        MigrationSource.FromEmbeddedResources("runtime", typeof(PostgresStore).Assembly, "Orchestrator.Runtime.Storage.Postgres.Migrations.");

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
        [LoggerMessage(EventId = 1002, Level = LogLevel.Warning, Message = "LISTEN connection failed; falling back to polling until it reconnects")]
        public static partial void ListenFailed(ILogger logger, Exception exception);
    }
}
