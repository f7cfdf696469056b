namespace Orchestrator.Runtime.OrleansReminders;

/// <summary>Where <see cref="SqliteReminderTable"/> keeps the reminders of a single-silo deployment.</summary>
public sealed class SqliteReminderTableOptions
{
    /// <summary>
    /// The SQLite connection string (<c>Data Source=/var/lib/orchestrator/orchestrator.db</c>), normally the same file as
    /// the grain state. Required; no default. The file's schema comes from the provider migrations
    /// (<c>ProviderMigrationRunner.ApplySqliteAsync</c>), applied before the silo starts.
    /// </summary>
    public string ConnectionString { get; set; } = "";

    /// <summary>
    /// How long a statement waits for SQLite's write lock before it fails. Default 30 s: long enough for the grain
    /// storage's group commits on the same file, short enough that a stuck writer surfaces as an error.
    /// </summary>
    public TimeSpan BusyTimeout { get; set; } = TimeSpan.FromSeconds(30);
}
