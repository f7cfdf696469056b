using System.Globalization;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Options;
using Orleans;
using Orleans.Configuration;
using Orleans.Runtime;

namespace Orchestrator.Runtime.OrleansReminders;

/// <summary>
/// Orleans' <see cref="IReminderTable"/> on the embedded SQLite file, for the single-node silo (PostgreSQL uses Orleans'
/// ADO.NET provider with our query texts instead). One row per (service id, grain, reminder name) in
/// <c>orch_reminder_entry</c>; the ETag is the row's version, as a decimal string, moved by every upsert, and a removal
/// only succeeds with the current ETag. Grain hashes are stored unsigned, so the ring ranges of
/// <see cref="ReadRows(uint, uint)"/> are plain comparisons: <c>(begin, end]</c>, wrapping past <c>uint.MaxValue</c> when
/// <c>begin &gt;= end</c> (<c>begin == end</c> is the whole ring). Every call is one statement on a pooled connection:
/// SQLite makes each atomic, and its busy timeout queues writers behind the grain storage's transactions.
/// </summary>
public sealed class SqliteReminderTable : IReminderTable
{
    private const string Columns = "grain_id, reminder_name, start_time_ms, period_ms, version";
    private readonly string _serviceId;
    private readonly string _connectionString;

    public SqliteReminderTable(IOptions<ClusterOptions> clusterOptions, IOptions<SqliteReminderTableOptions> options)
    {
        ArgumentNullException.ThrowIfNull(clusterOptions);
        ArgumentNullException.ThrowIfNull(options);
        _serviceId = clusterOptions.Value.ServiceId;
        var builder = new SqliteConnectionStringBuilder(options.Value.ConnectionString)
        {
            Pooling = true,
            DefaultTimeout = (int)Math.Ceiling(options.Value.BusyTimeout.TotalSeconds),
        };
        _connectionString = builder.ToString();
    }

    /// <summary>Checks that the table exists, so a missing migration fails the silo's start instead of the first reminder.</summary>
    public async Task StartAsync(CancellationToken cancellationToken = default)
    {
        await using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var command = new SqliteCommand("SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'orch_reminder_entry'", connection);
        var found = Convert.ToInt64(await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false), CultureInfo.InvariantCulture);
        if (found == 0)
        {
            throw new InvalidOperationException(
                "The SQLite reminder table orch_reminder_entry does not exist; apply the provider migrations (ProviderMigrationRunner.ApplySqliteAsync) before the silo starts.");
        }
    }

    public Task<ReminderTableData> ReadRows(GrainId grainId) => ReadRows(grainId, CancellationToken.None);

    public Task<ReminderTableData> ReadRows(GrainId grainId, CancellationToken cancellationToken) =>
        QueryAsync(
            $"SELECT {Columns} FROM orch_reminder_entry WHERE service_id = @service AND grain_id = @grain",
            command => command.Parameters.AddWithValue("@grain", grainId.ToString()),
            cancellationToken);

    public Task<ReminderTableData> ReadRows(uint begin, uint end) => ReadRows(begin, end, CancellationToken.None);

    public Task<ReminderTableData> ReadRows(uint begin, uint end, CancellationToken cancellationToken)
    {
        var where = begin < end
            ? "grain_hash > @begin AND grain_hash <= @end"
            : "(grain_hash > @begin OR grain_hash <= @end)";
        return QueryAsync(
            $"SELECT {Columns} FROM orch_reminder_entry WHERE service_id = @service AND {where}",
            command =>
            {
                command.Parameters.AddWithValue("@begin", (long)begin);
                command.Parameters.AddWithValue("@end", (long)end);
            },
            cancellationToken);
    }

    public Task<ReminderEntry?> ReadRow(GrainId grainId, string reminderName) => ReadRow(grainId, reminderName, CancellationToken.None);

    public async Task<ReminderEntry?> ReadRow(GrainId grainId, string reminderName, CancellationToken cancellationToken)
    {
        var rows = await QueryAsync(
            $"SELECT {Columns} FROM orch_reminder_entry WHERE service_id = @service AND grain_id = @grain AND reminder_name = @name",
            command =>
            {
                command.Parameters.AddWithValue("@grain", grainId.ToString());
                command.Parameters.AddWithValue("@name", reminderName);
            },
            cancellationToken).ConfigureAwait(false);
        return rows.Reminders.Count == 0 ? null : rows.Reminders[0];
    }

    public Task<string?> UpsertRow(ReminderEntry entry) => UpsertRow(entry, CancellationToken.None);

    public async Task<string?> UpsertRow(ReminderEntry entry, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(entry);
        // A start time without a kind is taken as UTC, as Orleans' own tables do.
        var startAt = entry.StartAt.Kind == DateTimeKind.Local ? entry.StartAt.ToUniversalTime() : DateTime.SpecifyKind(entry.StartAt, DateTimeKind.Utc);
        await using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var command = new SqliteCommand(
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
            connection);
        command.Parameters.AddWithValue("@service", _serviceId);
        command.Parameters.AddWithValue("@grain", entry.GrainId.ToString());
        command.Parameters.AddWithValue("@name", entry.ReminderName);
        command.Parameters.AddWithValue("@hash", (long)entry.GrainId.GetUniformHashCode());
        command.Parameters.AddWithValue("@start", new DateTimeOffset(startAt).ToUnixTimeMilliseconds());
        command.Parameters.AddWithValue("@period", (long)entry.Period.TotalMilliseconds);
        var version = Convert.ToInt64(await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false), CultureInfo.InvariantCulture);
        return version.ToString(CultureInfo.InvariantCulture);
    }

    public Task<bool> RemoveRow(GrainId grainId, string reminderName, string eTag) => RemoveRow(grainId, reminderName, eTag, CancellationToken.None);

    public async Task<bool> RemoveRow(GrainId grainId, string reminderName, string eTag, CancellationToken cancellationToken)
    {
        if (!long.TryParse(eTag, NumberStyles.None, CultureInfo.InvariantCulture, out var version))
        {
            return false; // not an ETag this table ever handed out, so not the current one
        }
        await using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var command = new SqliteCommand(
            "DELETE FROM orch_reminder_entry WHERE service_id = @service AND grain_id = @grain AND reminder_name = @name AND version = @version",
            connection);
        command.Parameters.AddWithValue("@service", _serviceId);
        command.Parameters.AddWithValue("@grain", grainId.ToString());
        command.Parameters.AddWithValue("@name", reminderName);
        command.Parameters.AddWithValue("@version", version);
        return await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false) == 1;
    }

    public Task TestOnlyClearTable() => TestOnlyClearTable(CancellationToken.None);

    public async Task TestOnlyClearTable(CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var command = new SqliteCommand("DELETE FROM orch_reminder_entry WHERE service_id = @service", connection);
        command.Parameters.AddWithValue("@service", _serviceId);
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    private async Task<ReminderTableData> QueryAsync(string sql, Action<SqliteCommand> parameters, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var command = new SqliteCommand(sql, connection);
        command.Parameters.AddWithValue("@service", _serviceId);
        parameters(command);
        var entries = new List<ReminderEntry>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
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
    }

    private async Task<SqliteConnection> OpenAsync(CancellationToken cancellationToken)
    {
        var connection = new SqliteConnection(_connectionString);
        try
        {
            await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
            return connection;
        }
        catch
        {
            await connection.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }
}
