using Microsoft.Extensions.Logging;
using Npgsql;

namespace Orchestrator.Runtime.Persistence.Migrations;

/// <summary>
/// Applies migrations to one PostgreSQL schema (the first entry of the connection's search path), in the caller's
/// transaction: one migrator at a time per schema (an advisory lock held until that transaction ends), each version
/// recorded in <c>orch_schema_migration</c> and never applied twice.
/// </summary>
internal static partial class PostgresMigrator
{
    public static async Task ApplyAsync(NpgsqlConnection connection, NpgsqlTransaction tx, string schema, IEnumerable<MigrationSource> sources, ILogger logger, CancellationToken cancellationToken)
    {
        var migrations = MigrationSource.Ordered(sources);
        // The lock first: two silos creating the same new schema at once would otherwise both pass CREATE SCHEMA's
        // IF NOT EXISTS and one would fail on the catalogue's unique index.
        await Exec(connection, tx, $"SELECT pg_advisory_xact_lock(hashtext('orch_migrate_{schema}'))", cancellationToken).ConfigureAwait(false);
        await Exec(connection, tx, $"CREATE SCHEMA IF NOT EXISTS \"{schema}\"", cancellationToken).ConfigureAwait(false);
        await Exec(connection, tx, "CREATE TABLE IF NOT EXISTS orch_schema_migration (version int PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())", cancellationToken).ConfigureAwait(false);
        var applied = new HashSet<int>();
        await using (var cmd = new NpgsqlCommand("SELECT version FROM orch_schema_migration", connection, tx))
        await using (var reader = await cmd.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false))
        {
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                applied.Add(reader.GetInt32(0));
            }
        }
        foreach (var migration in migrations)
        {
            if (applied.Contains(migration.Version))
            {
                continue;
            }
            await Exec(connection, tx, migration.Sql, cancellationToken).ConfigureAwait(false);
            await using var record = new NpgsqlCommand("INSERT INTO orch_schema_migration (version, name) VALUES (@v, @n)", connection, tx);
            record.Parameters.AddWithValue("v", migration.Version);
            record.Parameters.AddWithValue("n", migration.Name);
            await record.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            Log.MigrationApplied(logger, migration.Version, migration.Name, schema);
        }
    }

    /// <summary>The schema a connection string's tables live in: the first entry of its search path, else <c>public</c>.</summary>
    public static string SchemaOf(NpgsqlConnectionStringBuilder builder) =>
        string.IsNullOrEmpty(builder.SearchPath) ? "public" : builder.SearchPath.Split(',')[0].Trim();

    private static async Task Exec(NpgsqlConnection connection, NpgsqlTransaction tx, string sql, CancellationToken cancellationToken)
    {
        await using var cmd = new NpgsqlCommand(sql, connection, tx);
        await cmd.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 1001, Level = LogLevel.Information, Message = "Applied migration {Version} ({Name}) to schema {Schema}")]
        public static partial void MigrationApplied(ILogger logger, int version, string name, string schema);
    }
}
