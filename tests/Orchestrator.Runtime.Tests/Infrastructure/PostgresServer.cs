using System.Diagnostics;
using Npgsql;

namespace Orchestrator.Runtime.Tests.Infrastructure;

/// <summary>
/// A real PostgreSQL for the tests: <c>ORCH_TEST_PG</c> if set, otherwise the private server that
/// <c>eng/pg-start</c> starts (or reuses) from the installed binaries. Each test gets its own schema.
/// </summary>
public static class PostgresServer
{
    private static readonly Lazy<string> Connection = new(Start);

    public static string ConnectionString => Connection.Value;

    /// <summary>A connection string whose tables live in a new, empty schema of their own.</summary>
    public static string NewSchema(string prefix)
    {
        var schema = $"{prefix}_{Guid.NewGuid():N}"[..Math.Min(40, prefix.Length + 33)].ToLowerInvariant();
        return new NpgsqlConnectionStringBuilder(ConnectionString) { SearchPath = schema, MaxPoolSize = 40, ApplicationName = schema }.ToString();
    }

    /// <summary>
    /// Drops a test's schema. Idle pooled connections of this process are cleared first, and any session still
    /// connected under the schema's application name (a silo process being torn down, a late commit) is terminated, so
    /// the drop neither waits on nor deadlocks with it; a drop that still loses a deadlock or a lock wait is retried.
    /// </summary>
    public static async Task DropSchemaAsync(string connectionString)
    {
        var builder = new NpgsqlConnectionStringBuilder(connectionString);
        var schema = builder.SearchPath;
        if (string.IsNullOrEmpty(schema))
        {
            return;
        }
        await using (var pooled = new NpgsqlConnection(connectionString))
        {
            NpgsqlConnection.ClearPool(pooled);
        }
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await using var connection = new NpgsqlConnection(ConnectionString);
                await connection.OpenAsync();
                await using (var terminate = new NpgsqlCommand(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = @name AND pid <> pg_backend_pid()", connection))
                {
                    terminate.Parameters.AddWithValue("name", builder.ApplicationName ?? schema);
                    await terminate.ExecuteNonQueryAsync();
                }
                await using var drop = new NpgsqlCommand($"SET lock_timeout = '10s'; DROP SCHEMA IF EXISTS \"{schema}\" CASCADE", connection);
                await drop.ExecuteNonQueryAsync();
                return;
            }
            catch (PostgresException e) when (attempt < 5 && e.SqlState is PostgresErrorCodes.DeadlockDetected or PostgresErrorCodes.LockNotAvailable or PostgresErrorCodes.OutOfMemory or PostgresErrorCodes.TooManyConnections)
            {
                await Task.Delay(TimeSpan.FromMilliseconds(200 * attempt));
            }
        }
    }

    private static string Start()
    {
        var fromEnvironment = Environment.GetEnvironmentVariable("ORCH_TEST_PG");
        if (!string.IsNullOrWhiteSpace(fromEnvironment))
        {
            return fromEnvironment;
        }
        var script = Path.Combine(RepositoryRoot(), "eng", "pg-start");
        using var process = Process.Start(new ProcessStartInfo(script) { RedirectStandardOutput = true, RedirectStandardError = true })!;
        var output = process.StandardOutput.ReadToEnd();
        var errors = process.StandardError.ReadToEnd();
        process.WaitForExit();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"eng/pg-start failed ({process.ExitCode}): {errors}");
        }
        return output.Trim();
    }

    internal static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Orchestrator.sln")))
            {
                return dir.FullName;
            }
        }
        throw new InvalidOperationException("Cannot find the repository root (Orchestrator.sln) above " + AppContext.BaseDirectory);
    }
}
