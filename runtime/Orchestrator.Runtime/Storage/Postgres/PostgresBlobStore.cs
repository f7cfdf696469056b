using Npgsql;
using Orchestrator.Runtime.Blobs;

namespace Orchestrator.Runtime.Storage.Postgres;

/// <summary>
/// Blobs on PostgreSQL: one bytea row per distinct content, inserted once; an upload of content already stored only
/// makes it young again (<c>created_at</c>), so retention does not collect a file someone just uploaded.
/// </summary>
internal sealed class PostgresBlobStore(NpgsqlDataSource dataSource, int maxBytes) : IBlobStore
{
    public async Task<BlobInfo> PutAsync(Stream content, CancellationToken cancellationToken = default)
    {
        var (data, sha256) = await BlobContent.ReadAsync(content, maxBytes, cancellationToken).ConfigureAwait(false);
        await using (var insert = dataSource.CreateCommand("INSERT INTO orch_blob (sha256, size, data) VALUES (@sha, @size, @data) ON CONFLICT (sha256) DO UPDATE SET created_at = now()"))
        {
            insert.Parameters.AddWithValue("sha", sha256);
            insert.Parameters.AddWithValue("size", (long)data.Length);
            insert.Parameters.AddWithValue("data", data);
            await insert.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }
        // Read back in a new statement: the row is there, whether this put or an earlier one stored it.
        return await GetInfoAsync(sha256, cancellationToken).ConfigureAwait(false)
            ?? throw new InvalidOperationException($"Blob {sha256} was stored but cannot be read back.");
    }

    public async Task<BlobInfo?> GetInfoAsync(string sha256, CancellationToken cancellationToken = default)
    {
        if (!BlobContent.IsSha256(sha256))
        {
            return null;
        }
        await using var cmd = dataSource.CreateCommand("SELECT size, created_at FROM orch_blob WHERE sha256 = @sha");
        cmd.Parameters.AddWithValue("sha", sha256);
        await using var reader = await cmd.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        return await reader.ReadAsync(cancellationToken).ConfigureAwait(false)
            ? new BlobInfo(sha256, reader.GetInt64(0), reader.GetFieldValue<DateTimeOffset>(1))
            : null;
    }

    public async Task<Stream?> OpenReadAsync(string sha256, CancellationToken cancellationToken = default)
    {
        if (!BlobContent.IsSha256(sha256))
        {
            return null;
        }
        await using var cmd = dataSource.CreateCommand("SELECT data FROM orch_blob WHERE sha256 = @sha");
        cmd.Parameters.AddWithValue("sha", sha256);
        var data = await cmd.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false);
        return data is byte[] bytes ? new MemoryStream(bytes, writable: false) : null;
    }
}
