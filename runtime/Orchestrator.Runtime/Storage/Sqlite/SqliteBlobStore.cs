using Orchestrator.Runtime.Blobs;
using static Orchestrator.Runtime.Storage.Sqlite.SqliteConnector;

namespace Orchestrator.Runtime.Storage.Sqlite;

/// <summary>Blobs on SQLite: one row per distinct content, inserted once; uploading it again makes it young again (retention).</summary>
internal sealed class SqliteBlobStore(SqliteConnector store, int maxBytes) : IBlobStore
{
    public async Task<BlobInfo> PutAsync(Stream content, CancellationToken cancellationToken = default)
    {
        var (data, sha256) = await BlobContent.ReadAsync(content, maxBytes, cancellationToken).ConfigureAwait(false);
        return await store.WriteAsync((c, tx) =>
        {
            Exec(c, tx, "INSERT INTO orch_blob (sha256, size, data, created_at) VALUES (@sha, @size, @data, @now) ON CONFLICT (sha256) DO UPDATE SET created_at = excluded.created_at",
                ("sha", sha256), ("size", (long)data.Length), ("data", data), ("now", Now()));
            using var cmd = Command(c, tx, "SELECT size, created_at FROM orch_blob WHERE sha256 = @sha", ("sha", sha256));
            using var reader = cmd.ExecuteReader();
            reader.Read();
            return new BlobInfo(sha256, reader.GetInt64(0), At(reader.GetInt64(1)));
        }, cancellationToken).ConfigureAwait(false);
    }

    public Task<BlobInfo?> GetInfoAsync(string sha256, CancellationToken cancellationToken = default) =>
        !BlobContent.IsSha256(sha256) ? Task.FromResult<BlobInfo?>(null) : store.ReadAsync(c =>
        {
            using var cmd = Command(c, null, "SELECT size, created_at FROM orch_blob WHERE sha256 = @sha", ("sha", sha256));
            using var reader = cmd.ExecuteReader();
            return reader.Read() ? new BlobInfo(sha256, reader.GetInt64(0), At(reader.GetInt64(1))) : null;
        }, cancellationToken);

    public Task<Stream?> OpenReadAsync(string sha256, CancellationToken cancellationToken = default) =>
        !BlobContent.IsSha256(sha256) ? Task.FromResult<Stream?>(null) : store.ReadAsync<Stream?>(c =>
        {
            var data = Scalar(c, null, "SELECT data FROM orch_blob WHERE sha256 = @sha", ("sha", sha256));
            return data is byte[] bytes ? new MemoryStream(bytes, writable: false) : null;
        }, cancellationToken);
}
