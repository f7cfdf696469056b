using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;

namespace Orchestrator.Runtime.ProviderSchema;

/// <summary>
/// Applies the provider migrations (<see cref="ProviderMigrations"/>) to a PostgreSQL schema or a SQLite file and records
/// them in a ledger table of their own, <c>orch_provider_migration</c>, so they never collide with another migration
/// ledger in the same database. A stop-gap until the database composition's migration runner takes these migrations
/// over; run it before the silo starts (the providers expect their tables and query rows).
/// </summary>
public static partial class ProviderMigrationRunner
{
    /// <summary>
    /// Applies the PostgreSQL migrations in the first schema of the connection string's search path (created if missing),
    /// in one transaction, under an advisory lock so silos starting together do not race.
    /// </summary>
    public static async Task ApplyPostgresAsync(string connectionString, ILogger? logger = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(connectionString);
        logger ??= NullLogger.Instance;
        var builder = new NpgsqlConnectionStringBuilder(connectionString);
        var schema = string.IsNullOrEmpty(builder.SearchPath) ? "public" : builder.SearchPath.Split(',')[0].Trim().Trim('"');
        await using var connection = new NpgsqlConnection(builder.ToString());
        await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var tx = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        await ExecAsync(connection, tx, $"CREATE SCHEMA IF NOT EXISTS \"{schema.Replace("\"", "\"\"", StringComparison.Ordinal)}\"", cancellationToken).ConfigureAwait(false);
        await using (var lockCommand = new NpgsqlCommand("SELECT pg_advisory_xact_lock(hashtext('orch_provider_migrate_' || @schema))", connection, tx))
        {
            lockCommand.Parameters.AddWithValue("schema", schema);
            await lockCommand.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }
        await ExecAsync(connection, tx, "CREATE TABLE IF NOT EXISTS orch_provider_migration (id text PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())", cancellationToken).ConfigureAwait(false);
        var applied = new HashSet<string>(StringComparer.Ordinal);
        await using (var read = new NpgsqlCommand("SELECT id FROM orch_provider_migration", connection, tx))
        await using (var reader = await read.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false))
        {
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                applied.Add(reader.GetString(0));
            }
        }
        foreach (var migration in ProviderMigrations.For(ProviderStore.Postgres).Where(m => !applied.Contains(m.Id)))
        {
            await ExecAsync(connection, tx, migration.Sql, cancellationToken).ConfigureAwait(false);
            await using var record = new NpgsqlCommand("INSERT INTO orch_provider_migration (id) VALUES (@id)", connection, tx);
            record.Parameters.AddWithValue("id", migration.Id);
            await record.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            Log.Applied(logger, migration.Id, "postgres:" + schema);
        }
        await tx.CommitAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Applies the SQLite migrations to the file (created if missing, switched to WAL so readers do not wait on the
    /// writer), in one <c>BEGIN IMMEDIATE</c> transaction.
    /// </summary>
    public static async Task ApplySqliteAsync(string connectionString, ILogger? logger = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(connectionString);
        logger ??= NullLogger.Instance;
        var builder = new SqliteConnectionStringBuilder(connectionString);
        var directory = Path.GetDirectoryName(Path.GetFullPath(builder.DataSource));
        if (!string.IsNullOrEmpty(directory))
        {
            Directory.CreateDirectory(directory);
        }
        await using var connection = new SqliteConnection(builder.ToString());
        await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
        await ExecAsync(connection, null, "PRAGMA journal_mode=WAL", cancellationToken).ConfigureAwait(false);
        // Not deferred: BEGIN IMMEDIATE takes the write lock now, so two starting silos cannot both read an empty ledger.
        await using var tx = connection.BeginTransaction(deferred: false);
        await ExecAsync(connection, tx, "CREATE TABLE IF NOT EXISTS orch_provider_migration (id TEXT PRIMARY KEY, applied_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')))", cancellationToken).ConfigureAwait(false);
        var applied = new HashSet<string>(StringComparer.Ordinal);
        await using (var read = new SqliteCommand("SELECT id FROM orch_provider_migration", connection, tx))
        await using (var reader = await read.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false))
        {
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                applied.Add(reader.GetString(0));
            }
        }
        foreach (var migration in ProviderMigrations.For(ProviderStore.Sqlite).Where(m => !applied.Contains(m.Id)))
        {
            await ExecAsync(connection, tx, migration.Sql, cancellationToken).ConfigureAwait(false);
            await using var record = new SqliteCommand("INSERT INTO orch_provider_migration (id) VALUES (@id)", connection, tx);
            record.Parameters.AddWithValue("@id", migration.Id);
            await record.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            Log.Applied(logger, migration.Id, "sqlite:" + builder.DataSource);
        }
        await tx.CommitAsync(cancellationToken).ConfigureAwait(false);
    }

    private static async Task ExecAsync(NpgsqlConnection connection, NpgsqlTransaction tx, string sql, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(sql, connection, tx);
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    private static async Task ExecAsync(SqliteConnection connection, SqliteTransaction? tx, string sql, CancellationToken cancellationToken)
    {
        await using var command = new SqliteCommand(sql, connection, tx);
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 7001, Level = LogLevel.Information, Message = "Applied provider migration {Id} to {Target}")]
        public static partial void Applied(ILogger logger, string id, string target);
    }
}
