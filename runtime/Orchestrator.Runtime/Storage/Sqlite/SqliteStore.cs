using System.Globalization;
using System.Text.Json;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;
using Orchestrator.Runtime.Blobs;
using Orchestrator.Runtime.Hosting;
using Orchestrator.Runtime.Indexes;
using Orchestrator.Runtime.Logs;

namespace Orchestrator.Runtime.Storage.Sqlite;

/// <summary>
/// The embedded store: one SQLite file in WAL mode with <c>synchronous=FULL</c>, one writer connection that every
/// write goes through (SQLite has one writer anyway), pooled connections for reads. Same contract and conformance
/// suite as PostgreSQL; meant for a single silo. Instants are stored as Unix milliseconds.
/// </summary>
internal sealed partial class SqliteStore : IRuntimeStore
{
    private readonly string _connectionString;
    private readonly SemaphoreSlim _writeLock = new(1, 1);
    private readonly ILogger _logger;
    private readonly Lock _listenersSync = new();
    private readonly List<Action> _listeners = [];
    private SqliteConnection? _writer;
    private bool _disposed;

    public SqliteStore(RuntimeOptions options, ILogger logger)
    {
        var connectionString = options.ConnectionString;
        var builder = new SqliteConnectionStringBuilder(connectionString.Contains('=', StringComparison.Ordinal) ? connectionString : $"Data Source={connectionString}")
        {
            Pooling = true,
            DefaultTimeout = 30,
        };
        var directory = Path.GetDirectoryName(Path.GetFullPath(builder.DataSource));
        if (!string.IsNullOrEmpty(directory))
        {
            Directory.CreateDirectory(directory);
        }
        _connectionString = builder.ToString();
        _logger = logger;
        Indexes = new SqliteIndexStore(this);
        Logs = new SqliteLogStore(this, options.LogMaxBytesPerStream);
        Blobs = new SqliteBlobStore(this, options.MaxBlobBytes);
    }

    public string Kind => "sqlite";

    public IIndexReader Indexes { get; }

    public ILogStore Logs { get; }

    public IBlobStore Blobs { get; }

    internal static long Now() => TimeProvider.System.GetUtcNow().ToUnixTimeMilliseconds();

    internal static long Ms(DateTimeOffset t) => t.ToUnixTimeMilliseconds();

    internal static DateTimeOffset At(long ms) => DateTimeOffset.FromUnixTimeMilliseconds(ms);

    internal static string Json<T>(IEnumerable<T> values) => JsonSerializer.Serialize(values);

    public async Task MigrateAsync(int shardCount, CancellationToken cancellationToken)
    {
        await WriteAsync((c, tx) =>
        {
            Exec(c, tx, "CREATE TABLE IF NOT EXISTS orch_schema_migration (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at INTEGER NOT NULL)");
            var applied = new HashSet<long>();
            using (var cmd = Command(c, tx, "SELECT version FROM orch_schema_migration"))
            using (var reader = cmd.ExecuteReader())
            {
                while (reader.Read())
                {
                    applied.Add(reader.GetInt64(0));
                }
            }
            foreach (var (version, name, sql) in Migrations())
            {
                if (applied.Contains(version))
                {
                    continue;
                }
                Exec(c, tx, sql);
                Exec(c, tx, "INSERT INTO orch_schema_migration (version, name, applied_at) VALUES (@v, @n, @at)", ("v", version), ("n", name), ("at", Now()));
                Log.MigrationApplied(_logger, version, name);
            }
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

    private static IEnumerable<(int Version, string Name, string Sql)> Migrations()
    {
        var assembly = typeof(SqliteStore).Assembly;
        const string prefix = "Orchestrator.Runtime.Storage.Sqlite.Migrations.";
        foreach (var resource in assembly.GetManifestResourceNames().Where(n => n.StartsWith(prefix, StringComparison.Ordinal)).Order(StringComparer.Ordinal))
        {
            var name = resource[prefix.Length..^4];
            using var stream = assembly.GetManifestResourceStream(resource)!;
            using var reader = new StreamReader(stream);
            yield return (int.Parse(name[1..4], CultureInfo.InvariantCulture), name, reader.ReadToEnd());
        }
    }

    /// <summary>Runs <paramref name="work"/> in a write transaction on the single writer connection.</summary>
    internal async Task<T> WriteAsync<T>(Func<SqliteConnection, SqliteTransaction, T> work, CancellationToken cancellationToken)
    {
        await _writeLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            // Checked under the lock: a write that waited behind DisposeAsync must not reopen the file.
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (_writer is null)
            {
                _writer = new SqliteConnection(_connectionString);
                _writer.Open();
                Exec(_writer, null, "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; PRAGMA busy_timeout=30000;");
            }
            using var tx = _writer.BeginTransaction(deferred: false);
            var result = work(_writer, tx);
            tx.Commit();
            return result;
        }
        catch (SqliteException)
        {
            // A broken writer connection is replaced on the next write.
            _writer?.Dispose();
            _writer = null;
            throw;
        }
        finally
        {
            _writeLock.Release();
        }
    }

    internal async Task<T> ReadAsync<T>(Func<SqliteConnection, T> work, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed), this);
        await using var connection = new SqliteConnection(_connectionString);
        await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
        return work(connection);
    }

    internal static SqliteCommand Command(SqliteConnection connection, SqliteTransaction? tx, string sql, params (string Name, object? Value)[] parameters)
    {
        var cmd = connection.CreateCommand();
        cmd.CommandText = sql;
        cmd.Transaction = tx;
        foreach (var (name, value) in parameters)
        {
            cmd.Parameters.AddWithValue("@" + name, value ?? DBNull.Value);
        }
        return cmd;
    }

    internal static int Exec(SqliteConnection connection, SqliteTransaction? tx, string sql, params (string Name, object? Value)[] parameters)
    {
        using var cmd = Command(connection, tx, sql, parameters);
        return cmd.ExecuteNonQuery();
    }

    internal static object? Scalar(SqliteConnection connection, SqliteTransaction? tx, string sql, params (string Name, object? Value)[] parameters)
    {
        using var cmd = Command(connection, tx, sql, parameters);
        return cmd.ExecuteScalar();
    }

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
    public async ValueTask DisposeAsync()
    {
        await _writeLock.WaitAsync().ConfigureAwait(false);
        try
        {
            Volatile.Write(ref _disposed, true);
            if (_writer is not null)
            {
                await _writer.DisposeAsync().ConfigureAwait(false);
                _writer = null;
            }
        }
        finally
        {
            _writeLock.Release();
        }
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 1101, Level = LogLevel.Information, Message = "Applied SQLite migration {Version} ({Name})")]
        public static partial void MigrationApplied(ILogger logger, int version, string name);
    }
}
