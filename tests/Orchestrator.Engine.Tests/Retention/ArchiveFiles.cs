using System.IO.Compression;
using System.Text.Json.Nodes;
using Microsoft.Data.Sqlite;
using Orchestrator.Engine.Tests.Infrastructure;

namespace Orchestrator.Engine.Tests.Retention;

/// <summary>What the retention tests read and set beside the API: the archive's files, file ages, log days.</summary>
internal static class ArchiveFiles
{
    /// <summary>Every line of every <c>*.jsonl.gz</c> under <paramref name="folder"/> of the archive, with its file's relative name.</summary>
    public static List<(string File, JsonNode Line)> Read(string archive, string folder)
    {
        var lines = new List<(string, JsonNode)>();
        var root = Path.Combine(archive, folder);
        if (!Directory.Exists(root))
        {
            return lines;
        }
        foreach (var path in Directory.EnumerateFiles(root, "*.jsonl.gz").Order(StringComparer.Ordinal))
        {
            using var file = File.OpenRead(path);
            using var zip = new GZipStream(file, CompressionMode.Decompress);
            using var reader = new StreamReader(zip);
            while (reader.ReadLine() is { } line)
            {
                lines.Add((Path.GetRelativePath(archive, path), JsonNode.Parse(line)!));
            }
        }
        return lines;
    }

    /// <summary>Sets when an uploaded file was (last) stored, as if it had been uploaded then.</summary>
    public static async Task SetStoredAtAsync(EngineHarness h, string sha256, DateTimeOffset at)
    {
        if (h.Database.DataSource is { } postgres)
        {
            await using var cmd = postgres.CreateCommand("UPDATE orch_blob SET created_at = @at WHERE sha256 = @sha");
            cmd.Parameters.AddWithValue("at", at.ToUniversalTime());
            cmd.Parameters.AddWithValue("sha", sha256);
            Assert.Equal(1, await cmd.ExecuteNonQueryAsync());
            return;
        }
        await using var connection = new SqliteConnection(h.Store.ConnectionString);
        await connection.OpenAsync();
        await using var update = connection.CreateCommand();
        update.CommandText = "UPDATE orch_blob SET created_at = @at WHERE sha256 = @sha";
        update.Parameters.AddWithValue("@at", at.ToUnixTimeMilliseconds());
        update.Parameters.AddWithValue("@sha", sha256);
        Assert.Equal(1, await update.ExecuteNonQueryAsync());
    }

    /// <summary>
    /// Whether the log store still holds the UTC day: on PostgreSQL its partition table (<c>orch_log_yyyymmdd</c>) exists in
    /// the test's schema, on SQLite a chunk of that day is left.
    /// </summary>
    public static async Task<bool> HasLogDayAsync(EngineHarness h, DateOnly day)
    {
        if (h.Database.DataSource is { } postgres)
        {
            await using var cmd = postgres.CreateCommand(
                "SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = current_schema() AND c.relname = @name");
            cmd.Parameters.AddWithValue("name", $"orch_log_{day:yyyyMMdd}");
            return (long)(await cmd.ExecuteScalarAsync())! > 0;
        }
        await using var connection = new SqliteConnection(h.Store.ConnectionString);
        await connection.OpenAsync();
        await using var query = connection.CreateCommand();
        query.CommandText = "SELECT count(*) FROM orch_log WHERE day = @day";
        query.Parameters.AddWithValue("@day", day.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture));
        return (long)(await query.ExecuteScalarAsync())! > 0;
    }
}
