using Microsoft.Extensions.Logging;
using Npgsql;
using Orchestrator.Runtime.Audit;
using Orchestrator.Runtime.Blobs;
using Orchestrator.Runtime.Indexes;
using Orchestrator.Runtime.Logs;
using Orchestrator.Runtime.Persistence.DeadLetters;
using Orchestrator.Runtime.Persistence.GrainState;
using Orchestrator.Runtime.Persistence.Migrations;
using Orchestrator.Runtime.Storage.Postgres;
using Orchestrator.Runtime.Storage.Sqlite;

namespace Orchestrator.Runtime.Persistence;

/// <summary>
/// The database of the orchestrator on Orleans, one per cluster (PostgreSQL) or silo (SQLite file): opens the store,
/// runs the versioned migrations (ours and any extra sources, e.g. the Orleans provider tables), and exposes the
/// stores that live in it: index rows, logs, blobs, dead letters, and the grain state behind
/// <see cref="OrchestratorGrainStorage"/>. Every reader here sees only committed data.
/// </summary>
public sealed partial class OrchestratorDatabase : IAsyncDisposable
{
    private readonly IReadOnlyList<MigrationSource> _extraMigrations;
    private readonly ILogger _logger;
    private readonly Lock _migrationSync = new();
    private Task? _migration;

    private OrchestratorDatabase(OrchestratorDatabaseOptions options, IEnumerable<StoreMigrationSource> extraMigrations, ILoggerFactory loggerFactory, TimeProvider clock)
    {
        options.ThrowIfInvalid();
        Options = options;
        Kind = options.Store;
        _logger = loggerFactory.CreateLogger<OrchestratorDatabase>();
        _extraMigrations = [.. extraMigrations.Where(m => m.Store == Kind).Select(m => m.Source)];
        if (Kind == OrchestratorDatabaseOptions.Postgres)
        {
            var builder = new NpgsqlConnectionStringBuilder(options.ConnectionString);
            Schema = PostgresMigrator.SchemaOf(builder);
            DataSource = NpgsqlDataSource.Create(builder);
            Indexes = new PostgresIndexStore(DataSource);
            Logs = new PostgresLogStore(DataSource, options.LogMaxBytesPerStream, loggerFactory.CreateLogger<PostgresLogStore>());
            Blobs = new PostgresBlobStore(DataSource, options.MaxBlobBytes);
            DeadLetters = new PostgresDeadLetterStore(DataSource);
            GrainStates = new PostgresGrainStateStore(DataSource);
            Audit = new PostgresAuditStore(DataSource);
        }
        else
        {
            Sqlite = new SqliteConnector(options.ConnectionString);
            Indexes = new SqliteIndexStore(Sqlite);
            Logs = new SqliteLogStore(Sqlite, options.LogMaxBytesPerStream);
            Blobs = new SqliteBlobStore(Sqlite, options.MaxBlobBytes);
            DeadLetters = new SqliteDeadLetterStore(Sqlite);
            GrainStates = new SqliteGrainStateStore(Sqlite, clock);
            Audit = new SqliteAuditStore(Sqlite);
        }
        Committer = new GroupCommitter(GrainStates, options.CommitBatchSize, options.CommitConcurrency);
        AuditWriter = new AuditWriter(Audit, Kind == OrchestratorDatabaseOptions.Postgres ? options.CommitConcurrency : 1);
        Reader = new GroupReader(GrainStates, options.ReadBatchSize, Kind == OrchestratorDatabaseOptions.Postgres ? options.ReadConcurrency : 1);
    }

    /// <summary>
    /// Opens the store the options name (validated first); nothing is read or created until <see cref="MigrateAsync"/>.
    /// </summary>
    /// <param name="options">Which store, where, and its limits.</param>
    /// <param name="loggerFactory">Logs of the stores and migrations.</param>
    /// <param name="extraMigrations">Migration sources of other components; those for this store run with ours.</param>
    /// <param name="clock">Stamps SQLite rows (PostgreSQL uses its own <c>now()</c>); default the system clock.</param>
    public static OrchestratorDatabase Open(OrchestratorDatabaseOptions options, ILoggerFactory loggerFactory, IEnumerable<StoreMigrationSource>? extraMigrations = null, TimeProvider? clock = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(loggerFactory);
        return new OrchestratorDatabase(options, extraMigrations ?? [], loggerFactory, clock ?? TimeProvider.System);
    }

    /// <summary>"postgres" or "sqlite".</summary>
    public string Kind { get; }

    public OrchestratorDatabaseOptions Options { get; }

    /// <summary>PostgreSQL: the schema the tables live in (first entry of the search path); null on SQLite.</summary>
    public string? Schema { get; }

    /// <summary>PostgreSQL: the connection pool (null on SQLite), for components that keep tables in this database.</summary>
    public NpgsqlDataSource? DataSource { get; }

    /// <summary>SQLite: the file's single writer and readers (null on PostgreSQL).</summary>
    internal SqliteConnector? Sqlite { get; }

    /// <summary>Index rows written with grain state (<see cref="IIndexedState"/>).</summary>
    public IIndexReader Indexes { get; }

    public ILogStore Logs { get; }

    public IBlobStore Blobs { get; }

    /// <summary>Parked outbox messages.</summary>
    public IDeadLetterStore DeadLetters { get; }

    /// <summary>The audit log's table (reads; writes go through <see cref="AuditWriter"/>).</summary>
    public IAuditStore Audit { get; }

    /// <summary>The audit log's group commit: concurrent appends share transactions.</summary>
    public AuditWriter AuditWriter { get; }

    internal IGrainStateStore GrainStates { get; }

    /// <summary>The one group committer of this database: every grain storage on it shares its transactions.</summary>
    internal GroupCommitter Committer { get; }

    /// <summary>Grain state reads, grouped (<see cref="GroupReader"/>).</summary>
    internal GroupReader Reader { get; }

    /// <summary>
    /// The migrations this database runs itself: the log, blob and index tables (versions 2 and 3 of the schema the
    /// replaced runtime started, so its databases carry on), then grain state and dead letters (100–199), then the
    /// audit log (300–399).
    /// </summary>
    public static MigrationSource StorageMigrations(string store)
    {
        var assembly = typeof(OrchestratorDatabase).Assembly;
        return store switch
        {
            OrchestratorDatabaseOptions.Postgres => Combine("storage",
                MigrationSource.FromEmbeddedResources("runtime", assembly, "Orchestrator.Runtime.Storage.Postgres.Migrations.", v => v is 2 or 3 or 4 or 5),
                MigrationSource.FromEmbeddedResources("storage", assembly, "Orchestrator.Runtime.Persistence.Migrations.Postgres."),
                MigrationSource.FromEmbeddedResources("audit", assembly, "Orchestrator.Runtime.Audit.Migrations.Postgres.")),
            OrchestratorDatabaseOptions.Sqlite => Combine("storage",
                MigrationSource.FromEmbeddedResources("runtime", assembly, "Orchestrator.Runtime.Storage.Sqlite.Migrations.", v => v is 2 or 4 or 5),
                MigrationSource.FromEmbeddedResources("storage", assembly, "Orchestrator.Runtime.Persistence.Migrations.Sqlite."),
                MigrationSource.FromEmbeddedResources("audit", assembly, "Orchestrator.Runtime.Audit.Migrations.Sqlite.")),
            _ => throw new ArgumentException($"Store: '{store}' is not a store; use 'sqlite' or 'postgres'.", nameof(store)),
        };
    }

    private static MigrationSource Combine(string name, params MigrationSource[] sources) => new(name, MigrationSource.Ordered(sources));

    /// <summary>
    /// Creates or migrates the schema: ours and the extra sources, in version order, in one transaction. Runs once
    /// per instance (later calls await the first); after a failure the next call tries again.
    /// </summary>
    public Task MigrateAsync(CancellationToken cancellationToken = default)
    {
        lock (_migrationSync)
        {
            if (_migration is null || _migration.IsFaulted || _migration.IsCanceled)
            {
                _migration = MigrateCoreAsync(cancellationToken);
            }
            return _migration;
        }
    }

    private async Task MigrateCoreAsync(CancellationToken cancellationToken)
    {
        MigrationSource[] sources = [StorageMigrations(Kind), .. _extraMigrations];
        if (DataSource is not null)
        {
            await using var connection = await DataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
            await using var tx = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
            await PostgresMigrator.ApplyAsync(connection, tx, Schema!, sources, _logger, cancellationToken).ConfigureAwait(false);
            await tx.CommitAsync(cancellationToken).ConfigureAwait(false);
        }
        else
        {
            await Sqlite!.WriteAsync((c, tx) =>
            {
                SqliteMigrator.Apply(c, tx, sources, _logger);
                return 0;
            }, cancellationToken).ConfigureAwait(false);
        }
        await PreOrleansState.ThrowIfPresentAsync(this, cancellationToken).ConfigureAwait(false);
        Log.Migrated(_logger, Kind, Schema ?? "-");
    }

    public async ValueTask DisposeAsync()
    {
        if (DataSource is not null)
        {
            await DataSource.DisposeAsync().ConfigureAwait(false);
        }
        if (Sqlite is not null)
        {
            await Sqlite.DisposeAsync().ConfigureAwait(false);
        }
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 1020, Level = LogLevel.Information, Message = "Database ready ({Store}, schema {Schema})")]
        public static partial void Migrated(ILogger logger, string store, string schema);
    }
}
