using Microsoft.Extensions.Options;

namespace Orchestrator.Runtime.Persistence;

/// <summary>
/// The database of a cluster (PostgreSQL) or of a single silo (a SQLite file): grain state, index rows, logs, blobs,
/// dead letters, and the Orleans provider tables, in one schema.
/// </summary>
public sealed class OrchestratorDatabaseOptions
{
    public const string Sqlite = "sqlite";
    public const string Postgres = "postgres";

    /// <summary>"sqlite" (default: one silo, embedded file) or "postgres" (a cluster of silos).</summary>
    public string Store { get; set; } = Sqlite;

    /// <summary>PostgreSQL connection string (tables live in the first schema of its search path), or the SQLite
    /// connection string / file path. Default: <c>Data Source=data/orchestrator.db</c>.</summary>
    public string ConnectionString { get; set; } = "Data Source=data/orchestrator.db";

    /// <summary>Most bytes (UTF-8) of chunks one log stream keeps; past it one marker chunk says where the log was cut
    /// and later chunks are dropped, so one runaway command cannot fill the database. Default 10 MiB.</summary>
    public int LogMaxBytesPerStream { get; set; } = 10 * 1024 * 1024;

    /// <summary>Largest blob accepted. Blobs are read whole into memory on put and read, so this bounds the memory
    /// one request takes. Default 64 MiB.</summary>
    public int MaxBlobBytes { get; set; } = 64 * 1024 * 1024;

    /// <summary>Most grain-state writes committed in one transaction (group commit). Default 1,000: large enough that
    /// a 10,000-grain fan-out needs few WAL flushes, small enough that one batch's statements stay well under a
    /// second. 1 commits every write on its own.</summary>
    public int CommitBatchSize { get; set; } = 1000;

    /// <summary>Group-commit transactions in flight at once on PostgreSQL (SQLite always uses its one writer).
    /// Default 2: one batch fills while the other flushes; more adds connections, not throughput, on a small server.</summary>
    public int CommitConcurrency { get; set; } = 2;

    /// <summary>Most grain-state reads (activations) answered by one query. Default 500.</summary>
    public int ReadBatchSize { get; set; } = 500;

    /// <summary>Grain-state read queries in flight at once on PostgreSQL (SQLite reads one batch at a time). Default 4:
    /// activations arriving meanwhile queue and share the next query, so a fan-out over 100,000 grains holds a few
    /// connections instead of exhausting the pool.</summary>
    public int ReadConcurrency { get; set; } = 4;

    /// <summary>Checks every option; returns the problems, each naming the option and the bad value.</summary>
    public IReadOnlyList<string> Validate()
    {
        var errors = new List<string>();
        if (Store is not (Sqlite or Postgres))
        {
            errors.Add($"Store: '{Store}' is not a store; use 'sqlite' or 'postgres'.");
        }
        if (string.IsNullOrWhiteSpace(ConnectionString))
        {
            errors.Add("ConnectionString: must not be empty.");
        }
        foreach (var (name, value) in new[]
        {
            (nameof(LogMaxBytesPerStream), LogMaxBytesPerStream), (nameof(MaxBlobBytes), MaxBlobBytes),
            (nameof(CommitBatchSize), CommitBatchSize), (nameof(CommitConcurrency), CommitConcurrency),
            (nameof(ReadBatchSize), ReadBatchSize), (nameof(ReadConcurrency), ReadConcurrency),
        })
        {
            if (value < 1)
            {
                errors.Add($"{name}: {value} must be at least 1.");
            }
        }
        return errors;
    }

    /// <summary>Throws with every problem listed when the options are invalid.</summary>
    public void ThrowIfInvalid()
    {
        var errors = Validate();
        if (errors.Count > 0)
        {
            throw new ArgumentException("Invalid database options: " + string.Join(" ", errors));
        }
    }
}

/// <summary>Validates <see cref="OrchestratorDatabaseOptions"/> at start (<c>ValidateOnStart</c>).</summary>
public sealed class OrchestratorDatabaseOptionsValidator : IValidateOptions<OrchestratorDatabaseOptions>
{
    public ValidateOptionsResult Validate(string? name, OrchestratorDatabaseOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var errors = options.Validate();
        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
