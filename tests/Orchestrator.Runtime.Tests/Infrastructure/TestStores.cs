using Npgsql;
using Orchestrator.Runtime.Hosting;

namespace Orchestrator.Runtime.Tests.Infrastructure;

/// <summary>Fresh store locations: a new schema on the test PostgreSQL server, or a new SQLite file.</summary>
public static class TestStores
{
    public static RuntimeOptions Postgres(string prefix) => new() { Store = "postgres", ConnectionString = PostgresServer.NewSchema(prefix) };

    /// <summary>Drops a test's PostgreSQL schema (SQLite files live in the temp folder and are left to it).</summary>
    public static async Task DropAsync(RuntimeOptions options)
    {
        if (options.Store != "postgres")
        {
            return;
        }
        var schema = new NpgsqlConnectionStringBuilder(options.ConnectionString).SearchPath;
        await using var connection = new NpgsqlConnection(PostgresServer.ConnectionString);
        await connection.OpenAsync();
        await using var drop = new NpgsqlCommand($"DROP SCHEMA IF EXISTS \"{schema}\" CASCADE", connection);
        await drop.ExecuteNonQueryAsync();
    }

    public static RuntimeOptions Sqlite() =>
        new() { Store = "sqlite", ConnectionString = $"Data Source={Path.Combine(Path.GetTempPath(), "orch-tests", Guid.NewGuid().ToString("N") + ".db")}" };
}

/// <summary>A PostgreSQL schema of its own for one test, dropped afterwards.</summary>
public sealed class TestSchema : IAsyncDisposable
{
    private readonly RuntimeOptions _options = TestStores.Postgres("proc");

    public string ConnectionString => _options.ConnectionString;

    public ValueTask DisposeAsync() => new(TestStores.DropAsync(_options));
}
