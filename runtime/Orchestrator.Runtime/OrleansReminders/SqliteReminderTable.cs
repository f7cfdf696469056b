using System.Globalization;
using Microsoft.Extensions.Options;
using Orchestrator.Runtime.Persistence;
using Orchestrator.Runtime.Storage.Sqlite;
using Orleans;
using Orleans.Configuration;
using Orleans.Runtime;

namespace Orchestrator.Runtime.OrleansReminders;

/// <summary>
/// Orleans' <see cref="IReminderTable"/> on the orchestrator's SQLite file, for the single-node silo (PostgreSQL uses
/// Orleans' ADO.NET provider with our query texts instead). One row per (service id, grain, reminder name) in
/// <c>orch_reminder_entry</c> (migration 201); the ETag is the row's version, as a decimal string, moved by every upsert,
/// and a removal only succeeds with the current ETag. Grain hashes are stored unsigned, so the ring ranges of
/// <see cref="ReadRows(uint, uint)"/> are plain comparisons: <c>(begin, end]</c>, wrapping past <c>uint.MaxValue</c> when
/// <c>begin &gt;= end</c> (<c>begin == end</c> is the whole ring). Writes go through the database's single writer, queued
/// with the grain storage's commits; reads use pooled connections. Every call is one statement.
/// </summary>
public sealed class SqliteReminderTable : IReminderTable
{
    private const string Columns = "grain_id, reminder_name, start_time_ms, period_ms, version";
    private readonly string _serviceId;
    private readonly SqliteConnector _sqlite;

    public SqliteReminderTable(IOptions<ClusterOptions> clusterOptions, OrchestratorDatabase database)
    {
        ArgumentNullException.ThrowIfNull(clusterOptions);
        ArgumentNullException.ThrowIfNull(database);
        _serviceId = clusterOptions.Value.ServiceId;
        _sqlite = database.Sqlite ?? throw new ArgumentException(
            $"The SQLite reminder table needs a SQLite orchestrator database; this one is '{database.Kind}'.", nameof(database));
    }

    /// <summary>Checks that the table exists, so a missing migration fails the silo's start instead of the first reminder.</summary>
    public async Task StartAsync(CancellationToken cancellationToken = default)
    {
        var found = await _sqlite.ReadAsync(
            c => Convert.ToInt64(SqliteConnector.Scalar(c, null, "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'orch_reminder_entry'"), CultureInfo.InvariantCulture),
            cancellationToken).ConfigureAwait(false);
        if (found == 0)
        {
            throw new InvalidOperationException(
                "The SQLite reminder table orch_reminder_entry does not exist: register the reminders with UseOrchestratorReminders, which adds migration 201 to the orchestrator database.");
        }
    }
    public Task<ReminderTableData> ReadRows(GrainId grainId) => ReadRows(grainId, CancellationToken.None);

    public Task<ReminderTableData> ReadRows(GrainId grainId, CancellationToken cancellationToken) =>
        QueryAsync($"SELECT {Columns} FROM orch_reminder_entry WHERE service_id = @service AND grain_id = @grain", cancellationToken, ("grain", grainId.ToString()));

    public Task<ReminderTableData> ReadRows(uint begin, uint end) => ReadRows(begin, end, CancellationToken.None);

    public Task<ReminderTableData> ReadRows(uint begin, uint end, CancellationToken cancellationToken)
    {
        var where = begin < end
            ? "grain_hash > @begin AND grain_hash <= @end"
            : "(grain_hash > @begin OR grain_hash <= @end)";
        return QueryAsync($"SELECT {Columns} FROM orch_reminder_entry WHERE service_id = @service AND {where}", cancellationToken, ("begin", (long)begin), ("end", (long)end));
    }

    public Task<ReminderEntry?> ReadRow(GrainId grainId, string reminderName) => ReadRow(grainId, reminderName, CancellationToken.None);

    public async Task<ReminderEntry?> ReadRow(GrainId grainId, string reminderName, CancellationToken cancellationToken)
    {
        var rows = await QueryAsync(
            $"SELECT {Columns} FROM orch_reminder_entry WHERE service_id = @service AND grain_id = @grain AND reminder_name = @name",
            cancellationToken, ("grain", grainId.ToString()), ("name", reminderName)).ConfigureAwait(false);
        return rows.Reminders.Count == 0 ? null : rows.Reminders[0];
    }

    public Task<string?> UpsertRow(ReminderEntry entry) => UpsertRow(entry, CancellationToken.None);

    public async Task<string?> UpsertRow(ReminderEntry entry, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(entry);
        // A start time without a kind is taken as UTC, as Orleans' own tables do.
        var startAt = entry.StartAt.Kind == DateTimeKind.Local ? entry.StartAt.ToUniversalTime() : DateTime.SpecifyKind(entry.StartAt, DateTimeKind.Utc);
        var version = await _sqlite.WriteAsync(
            (c, tx) => Convert.ToInt64(SqliteConnector.Scalar(c, tx,
                """
                INSERT INTO orch_reminder_entry (service_id, grain_id, reminder_name, grain_hash, start_time_ms, period_ms, version)
                VALUES (@service, @grain, @name, @hash, @start, @period, 0)
                ON CONFLICT (service_id, grain_id, reminder_name) DO UPDATE
                SET grain_hash = excluded.grain_hash,
                    start_time_ms = excluded.start_time_ms,
                    period_ms = excluded.period_ms,
                    version = orch_reminder_entry.version + 1
                RETURNING version
                """,
                ("service", _serviceId),
                ("grain", entry.GrainId.ToString()),
                ("name", entry.ReminderName),
                ("hash", (long)entry.GrainId.GetUniformHashCode()),
                ("start", new DateTimeOffset(startAt).ToUnixTimeMilliseconds()),
                ("period", (long)entry.Period.TotalMilliseconds)), CultureInfo.InvariantCulture),
            cancellationToken).ConfigureAwait(false);
        return version.ToString(CultureInfo.InvariantCulture);
    }

    public Task<bool> RemoveRow(GrainId grainId, string reminderName, string eTag) => RemoveRow(grainId, reminderName, eTag, CancellationToken.None);

    public async Task<bool> RemoveRow(GrainId grainId, string reminderName, string eTag, CancellationToken cancellationToken)
    {
        if (!long.TryParse(eTag, NumberStyles.None, CultureInfo.InvariantCulture, out var version))
        {
            return false; // not an ETag this table ever handed out, so not the current one
        }
        var removed = await _sqlite.WriteAsync(
            (c, tx) => SqliteConnector.Exec(c, tx,
                "DELETE FROM orch_reminder_entry WHERE service_id = @service AND grain_id = @grain AND reminder_name = @name AND version = @version",
                ("service", _serviceId), ("grain", grainId.ToString()), ("name", reminderName), ("version", version)),
            cancellationToken).ConfigureAwait(false);
        return removed == 1;
    }

    public Task TestOnlyClearTable() => TestOnlyClearTable(CancellationToken.None);

    public Task TestOnlyClearTable(CancellationToken cancellationToken) =>
        _sqlite.WriteAsync((c, tx) => SqliteConnector.Exec(c, tx, "DELETE FROM orch_reminder_entry WHERE service_id = @service", ("service", _serviceId)), cancellationToken);

    private Task<ReminderTableData> QueryAsync(string sql, CancellationToken cancellationToken, params (string Name, object? Value)[] parameters) =>
        _sqlite.ReadAsync(
            c =>
            {
                using var command = SqliteConnector.Command(c, null, sql, [("service", _serviceId), .. parameters]);
                using var reader = command.ExecuteReader();
                var entries = new List<ReminderEntry>();
                while (reader.Read())
                {
                    entries.Add(new ReminderEntry
                    {
                        GrainId = GrainId.Parse(reader.GetString(0)),
                        ReminderName = reader.GetString(1),
                        StartAt = DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(2)).UtcDateTime,
                        Period = TimeSpan.FromMilliseconds(reader.GetInt64(3)),
                        ETag = reader.GetInt64(4).ToString(CultureInfo.InvariantCulture),
                    });
                }
                return new ReminderTableData(entries);
            },
            cancellationToken);
}
