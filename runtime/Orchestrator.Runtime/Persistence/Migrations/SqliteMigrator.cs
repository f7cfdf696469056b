using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;
using static Orchestrator.Runtime.Storage.Sqlite.SqliteConnector;

namespace Orchestrator.Runtime.Persistence.Migrations;

/// <summary>
/// Applies migrations to a SQLite file in the caller's write transaction (the single writer serialises migrators),
/// each version recorded in <c>orch_schema_migration</c> and never applied twice.
/// </summary>
internal static partial class SqliteMigrator
{
    public static void Apply(SqliteConnection connection, SqliteTransaction tx, IEnumerable<MigrationSource> sources, ILogger logger)
    {
        var migrations = MigrationSource.Ordered(sources);
        Exec(connection, tx, "CREATE TABLE IF NOT EXISTS orch_schema_migration (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at INTEGER NOT NULL)");
        var applied = new HashSet<long>();
        using (var cmd = Command(connection, tx, "SELECT version FROM orch_schema_migration"))
        using (var reader = cmd.ExecuteReader())
        {
            while (reader.Read())
            {
                applied.Add(reader.GetInt64(0));
            }
        }
        foreach (var migration in migrations)
        {
            if (applied.Contains(migration.Version))
            {
                continue;
            }
            Exec(connection, tx, migration.Sql);
            Exec(connection, tx, "INSERT INTO orch_schema_migration (version, name, applied_at) VALUES (@v, @n, @at)",
                ("v", migration.Version), ("n", migration.Name), ("at", Now()));
            Log.MigrationApplied(logger, migration.Version, migration.Name);
        }
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 1101, Level = LogLevel.Information, Message = "Applied SQLite migration {Version} ({Name})")]
        public static partial void MigrationApplied(ILogger logger, int version, string name);
    }
}
