using System.Globalization;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;
using Orchestrator.Runtime.Blobs;
using Orchestrator.Runtime.Hosting;
using Orchestrator.Runtime.Indexes;
using Orchestrator.Runtime.Logs;
using Orchestrator.Runtime.Persistence.Migrations;

namespace Orchestrator.Runtime.Storage.Sqlite;

/// <summary>
/// The embedded store: one SQLite file (<see cref="SqliteConnector"/>: WAL, <c>synchronous=FULL</c>, one writer
/// connection, pooled reads). Same contract and conformance suite as PostgreSQL; meant for a single silo. Instants
/// are stored as Unix milliseconds.
/// </summary>
internal sealed partial class SqliteStore : IRuntimeStore
{
    private readonly SqliteConnector _connector;
    private readonly ILogger _logger;
    private readonly Lock _listenersSync = new();
    private readonly List<Action> _listeners = [];

    public SqliteStore(RuntimeOptions options, ILogger logger)
    {
        _connector = new SqliteConnector(options.ConnectionString);
        _logger = logger;
        Indexes = new SqliteIndexStore(_connector);
        Logs = new SqliteLogStore(_connector, options.LogMaxBytesPerStream);
        Blobs = new SqliteBlobStore(_connector, options.MaxBlobBytes);
    }

    public string Kind => "sqlite";

    public IIndexReader Indexes { get; }

    public ILogStore Logs { get; }

    public IBlobStore Blobs { get; }

    internal static long Now() => SqliteConnector.Now();

    internal static long Ms(DateTimeOffset t) => SqliteConnector.Ms(t);

    internal static DateTimeOffset At(long ms) => SqliteConnector.At(ms);

    internal static string Json<T>(IEnumerable<T> values) => SqliteConnector.Json(values);

    public async Task MigrateAsync(int shardCount, CancellationToken cancellationToken)
    {
        await WriteAsync((c, tx) =>
        {
            SqliteMigrator.Apply(c, tx, [Migrations()], _logger);
            Exec(c, tx, "INSERT OR IGNORE INTO orch_meta (key, value) VALUES ('shard_count', @n)", ("n", shardCount.ToString(CultureInfo.InvariantCulture)));
            using (var cmd = Command(c, tx, "SELECT value FROM orch_meta WHERE key = 'shard_count'"))
            {
                var stored = (string)cmd.ExecuteScalar()!;
                if (stored != shardCount.ToString(CultureInfo.InvariantCulture))
                {
                    throw new InvalidOperationException($"ShardCount is {shardCount} but this cluster was created with {stored} shards; the shard count is fixed when a cluster is created.");
                }
            }
            Exec(c, tx, "WITH RECURSIVE s(n) AS (SELECT 0 UNION ALL SELECT n + 1 FROM s WHERE n + 1 < @n) INSERT OR IGNORE INTO orch_shard_lease (shard_id) SELECT n FROM s", ("n", shardCount));
            return 0;
        }, cancellationToken);
    }

    /// <summary>The old runtime's own migrations (versions 1–99).</summary>
    internal static MigrationSource Migrations() =>
        MigrationSource.FromEmbeddedResources("runtime", typeof(SqliteStore).Assembly, "Orchestrator.Runtime.Storage.Sqlite.Migrations.");

    /// <summary>Runs <paramref name="work"/> in a write transaction on the single writer connection.</summary>
    internal Task<T> WriteAsync<T>(Func<SqliteConnection, SqliteTransaction, T> work, CancellationToken cancellationToken) => _connector.WriteAsync(work, cancellationToken);

    internal Task<T> ReadAsync<T>(Func<SqliteConnection, T> work, CancellationToken cancellationToken) => _connector.ReadAsync(work, cancellationToken);

    internal static SqliteCommand Command(SqliteConnection connection, SqliteTransaction? tx, string sql, params (string Name, object? Value)[] parameters) =>
        SqliteConnector.Command(connection, tx, sql, parameters);

    internal static int Exec(SqliteConnection connection, SqliteTransaction? tx, string sql, params (string Name, object? Value)[] parameters) =>
        SqliteConnector.Exec(connection, tx, sql, parameters);

    internal static object? Scalar(SqliteConnection connection, SqliteTransaction? tx, string sql, params (string Name, object? Value)[] parameters) =>
        SqliteConnector.Scalar(connection, tx, sql, parameters);

    /// <summary>One process owns the file, so a wake-up is an in-process call after each write that adds messages.</summary>
    public async Task ListenAsync(Action wake, CancellationToken cancellationToken)
    {
        lock (_listenersSync)
        {
            _listeners.Add(wake);
        }
        try
        {
            await Task.Delay(Timeout.InfiniteTimeSpan, TimeProvider.System, cancellationToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }
        finally
        {
            lock (_listenersSync)
            {
                _listeners.Remove(wake);
            }
        }
    }

    private void Notify()
    {
        Action[] listeners;
        lock (_listenersSync)
        {
            listeners = [.. _listeners];
        }
        foreach (var wake in listeners)
        {
            wake();
        }
    }

    /// <summary>Waits for the write in progress, closes the writer; later reads and writes throw <see cref="ObjectDisposedException"/>.</summary>
    public ValueTask DisposeAsync() => _connector.DisposeAsync();
}
