using Microsoft.Extensions.Logging;
using Orchestrator.Runtime.Hosting;
using Orchestrator.Runtime.Storage.Postgres;
using Orchestrator.Runtime.Storage.Sqlite;

namespace Orchestrator.Runtime.Storage;

/// <summary>Opens the store the options name.</summary>
internal static class StoreFactory
{
    public static IRuntimeStore Create(RuntimeOptions options, ILoggerFactory loggerFactory) => options.Store switch
    {
        "postgres" => new PostgresStore(options, loggerFactory.CreateLogger<PostgresStore>()),
        "sqlite" => new SqliteStore(options, loggerFactory.CreateLogger<SqliteStore>()),
        _ => throw new ArgumentException($"Store: '{options.Store}' is not a store; use 'sqlite' or 'postgres'."),
    };
}
