using Orchestrator.Runtime.Hosting;

namespace Orchestrator.Runtime.Tests.Infrastructure;

/// <summary>Fresh store locations: a new schema on the test PostgreSQL server, or a new SQLite file.</summary>
public static class TestStores
{
    public static RuntimeOptions Postgres(string prefix) => new() { Store = "postgres", ConnectionString = PostgresServer.NewSchema(prefix) };

    public static RuntimeOptions Sqlite() =>
        new() { Store = "sqlite", ConnectionString = $"Data Source={Path.Combine(Path.GetTempPath(), "orch-tests", Guid.NewGuid().ToString("N") + ".db")}" };
}
