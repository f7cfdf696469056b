using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;
using Orchestrator.Runtime.Persistence;
using Orchestrator.Runtime.ProviderSchema;
using Orchestrator.Runtime.Tests.Infrastructure;

namespace Orchestrator.Runtime.Tests.ProviderSchema;

/// <summary>
/// A PostgreSQL schema of its own for one test, migrated as a silo's orchestrator database with every provider source
/// would migrate it (or left empty, for a silo to migrate); dropped afterwards.
/// </summary>
public sealed class PostgresProviderSchema : IAsyncDisposable
{
    private PostgresProviderSchema(string connectionString) => ConnectionString = connectionString;

    public string ConnectionString { get; }

    public string Schema => new NpgsqlConnectionStringBuilder(ConnectionString).SearchPath!;

    public static async Task<PostgresProviderSchema> CreateAsync(string prefix, bool migrate = true)
    {
        var schema = new PostgresProviderSchema(PostgresServer.NewSchema(prefix));
        if (migrate)
        {
            await using var database = OrchestratorDatabase.Open(
                new OrchestratorDatabaseOptions { Store = OrchestratorDatabaseOptions.Postgres, ConnectionString = schema.ConnectionString },
                NullLoggerFactory.Instance, ProviderMigrations.All);
            await database.MigrateAsync();
        }
        return schema;
    }

    /// <summary>Runs a query in this schema and returns its rows, each as column name → value.</summary>
    public async Task<List<Dictionary<string, object?>>> QueryAsync(string sql, params (string Name, object Value)[] parameters)
    {
        await using var connection = new NpgsqlConnection(ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        foreach (var (name, value) in parameters)
        {
            command.Parameters.AddWithValue(name, value);
        }
        var rows = new List<Dictionary<string, object?>>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            var row = new Dictionary<string, object?>(StringComparer.Ordinal);
            for (var i = 0; i < reader.FieldCount; i++)
            {
                row[reader.GetName(i)] = reader.IsDBNull(i) ? null : reader.GetValue(i);
            }
            rows.Add(row);
        }
        return rows;
    }

    public ValueTask DisposeAsync() => new(PostgresServer.DropSchemaAsync(ConnectionString));
}

/// <summary>
/// A SQLite file of its own for one test, opened as an orchestrator database with every provider source and migrated
/// (or left empty, for a silo to migrate); deleted afterwards.
/// </summary>
public sealed class SqliteProviderFile : IAsyncDisposable
{
    private SqliteProviderFile(string path)
    {
        Path = path;
        ConnectionString = new SqliteConnectionStringBuilder { DataSource = path }.ToString();
        Database = OrchestratorDatabase.Open(
            new OrchestratorDatabaseOptions { Store = OrchestratorDatabaseOptions.Sqlite, ConnectionString = ConnectionString },
            NullLoggerFactory.Instance, ProviderMigrations.All);
    }

    public string Path { get; }

    public string ConnectionString { get; }

    /// <summary>The file as the orchestrator database (migrated when <c>migrate</c> was true).</summary>
    public OrchestratorDatabase Database { get; }

    public static async Task<SqliteProviderFile> CreateAsync(bool migrate = true)
    {
        var file = new SqliteProviderFile(System.IO.Path.Combine(System.IO.Path.GetTempPath(), "orch-tests", $"providers-{Guid.NewGuid():N}.db"));
        if (migrate)
        {
            await file.Database.MigrateAsync();
        }
        return file;
    }

    public async ValueTask DisposeAsync()
    {
        await Database.DisposeAsync();
        using (var pooled = new SqliteConnection(ConnectionString))
        {
            SqliteConnection.ClearPool(pooled);
        }
        foreach (var suffix in new[] { "", "-wal", "-shm" })
        {
            File.Delete(Path + suffix);
        }
    }
}
