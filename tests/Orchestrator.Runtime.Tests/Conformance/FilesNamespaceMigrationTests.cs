using System.Text.Json;
using Orchestrator.Runtime.Persistence;
using Orchestrator.Runtime.Tests.Infrastructure;

namespace Orchestrator.Runtime.Tests.Conformance;

/// <summary>
/// Migration 4 on both stores: files stored before namespaces get an index row in namespace <c>default</c> (kind
/// <c>file</c>, key the SHA-256) in the shape the file grain writes; run again, it changes nothing.
/// </summary>
public abstract class FilesNamespaceMigrationTests : DatabaseTestBase
{
    [Fact]
    public async Task Migration4_FileStoredBeforeNamespaces_IsDefaults_RunAgainNoChange()
    {
        var database = await OpenAsync();
        var blob = await database.Blobs.PutAsync(new MemoryStream("stored before namespaces"u8.ToArray()));

        await MigrateAgainAsync(database, 4);
        var first = Assert.Single(await database.Indexes.GetAsync("file", "default", [blob.Sha256]));
        await MigrateAgainAsync(database, 4);
        var second = Assert.Single(await database.Indexes.GetAsync("file", "default", [blob.Sha256]));

        using var data = JsonDocument.Parse(first.Data!);
        Assert.Equal(blob.Size, data.RootElement.GetProperty("size").GetInt64());
        Assert.Equal("before-namespaces", data.RootElement.GetProperty("by").GetString());
        var uploadedAt = data.RootElement.GetProperty("uploadedAt").GetDateTimeOffset();
        Assert.True((uploadedAt - blob.CreatedAt).Duration() < TimeSpan.FromSeconds(1), $"uploadedAt {uploadedAt:O}, stored {blob.CreatedAt:O}");
        Assert.Equal(first, second);
        Assert.Empty(await database.Indexes.GetAsync("file", "a", [blob.Sha256]));
    }
}

public sealed class PostgresFilesNamespaceMigrationTests : FilesNamespaceMigrationTests
{
    protected override OrchestratorDatabaseOptions NewStore() => TestStores.Postgres("filens");
}

public sealed class SqliteFilesNamespaceMigrationTests : FilesNamespaceMigrationTests
{
    protected override OrchestratorDatabaseOptions NewStore() => TestStores.Sqlite();
}
