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
