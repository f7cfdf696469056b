using System.Text.Json;
using Microsoft.Data.Sqlite;

namespace Orchestrator.Runtime.Storage.Sqlite;

/// <summary>
/// One SQLite file in WAL mode with <c>synchronous=FULL</c>: one writer connection that every write goes through
/// (SQLite has one writer anyway; queueing here beats busy-waiting on the file lock), pooled connections for reads.
/// The database composition (<c>Persistence/OrchestratorDatabase</c>) shares it between the grain state, index, log,
/// blob, dead-letter and reminder stores.
/// </summary>
internal sealed class SqliteConnector : IAsyncDisposable
{
    private readonly SemaphoreSlim _writeLock = new(1, 1);
    private SqliteConnection? _writer;
    private bool _disposed;

    /// <param name="connectionString">A SQLite connection string, or a bare file path.</param>
    public SqliteConnector(string connectionString)
    {
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
        ConnectionString = builder.ToString();
    }

    /// <summary>The normalised connection string (pooling on, a 30 s command timeout).</summary>
    public string ConnectionString { get; }

    internal static long Now() => TimeProvider.System.GetUtcNow().ToUnixTimeMilliseconds();

    internal static long Ms(DateTimeOffset t) => t.ToUnixTimeMilliseconds();

    internal static DateTimeOffset At(long ms) => DateTimeOffset.FromUnixTimeMilliseconds(ms);

    internal static string Json<T>(IEnumerable<T> values) => JsonSerializer.Serialize(values);

    /// <summary>Runs <paramref name="work"/> in a write transaction on the single writer connection.</summary>
    public async Task<T> WriteAsync<T>(Func<SqliteConnection, SqliteTransaction, T> work, CancellationToken cancellationToken)
    {
        await _writeLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            // Checked under the lock: a write that waited behind DisposeAsync must not reopen the file.
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (_writer is null)
            {
                _writer = new SqliteConnection(ConnectionString);
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

    public async Task<T> ReadAsync<T>(Func<SqliteConnection, T> work, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed), this);
        await using var connection = new SqliteConnection(ConnectionString);
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
}
