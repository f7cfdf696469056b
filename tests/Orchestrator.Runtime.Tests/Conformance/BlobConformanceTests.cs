using System.Security.Cryptography;
using Orchestrator.Runtime.Blobs;
using Orchestrator.Runtime.Persistence;
using Orchestrator.Runtime.Tests.Infrastructure;

namespace Orchestrator.Runtime.Tests.Conformance;

/// <summary>The blob store, run unchanged on PostgreSQL and SQLite: content-addressed, stored once, capped.</summary>
public abstract class BlobConformanceTests : DatabaseTestBase
{
    private async Task<IBlobStore> StartBlobsAsync(Action<OrchestratorDatabaseOptions>? configure = null) =>
        (await OpenAsync(configure)).Blobs;

    private static byte[] Content(int size, int seed)
    {
        var bytes = new byte[size];
        new Random(seed).NextBytes(bytes);
        return bytes;
    }

    private static async Task<byte[]> ReadAll(Stream stream)
    {
        using var copy = new MemoryStream();
        await stream.CopyToAsync(copy);
        return copy.ToArray();
    }

    [Fact]
    public async Task Put_SameContentTwice_StoresItOnceUnderItsSha256()
    {
        var blobs = await StartBlobsAsync();
        var content = Content(300_000, 1);
        var sha = Convert.ToHexStringLower(SHA256.HashData(content));

        var first = await blobs.PutAsync(new MemoryStream(content));
        var second = await blobs.PutAsync(new MemoryStream(content));

        Assert.Equal((sha, 300_000L), (first.Sha256, first.Size));
        Assert.Equal((first.Sha256, first.Size), (second.Sha256, second.Size)); // the same row,
        Assert.True(second.CreatedAt >= first.CreatedAt, $"{second.CreatedAt:O} < {first.CreatedAt:O}"); // made young again (retention)
        Assert.Equal(second, await blobs.GetInfoAsync(sha));
        await using var read = await blobs.OpenReadAsync(sha);
        Assert.Equal(content, await ReadAll(read!));
    }

    [Fact]
    public async Task GetInfoAndOpenRead_OfAnUnknownOrMalformedName_ReturnNull()
    {
        var blobs = await StartBlobsAsync();
        var stored = await blobs.PutAsync(new MemoryStream(Content(10, 2)));
        var unknown = Convert.ToHexStringLower(SHA256.HashData(Content(10, 3)));

        Assert.Null(await blobs.GetInfoAsync(unknown));
        Assert.Null(await blobs.OpenReadAsync(unknown));
        Assert.Null(await blobs.GetInfoAsync("not-a-sha"));
        Assert.Null(await blobs.OpenReadAsync(stored.Sha256.ToUpperInvariant())); // names are lowercase hex
        Assert.NotNull(await blobs.OpenReadAsync(stored.Sha256));
    }

    [Fact]
    public async Task Put_PastMaxBlobBytes_ThrowsAndStoresNothing()
    {
        var blobs = await StartBlobsAsync(o => o.MaxBlobBytes = 1024);
        var tooLarge = Content(1025, 4);

        var error = await Assert.ThrowsAsync<BlobTooLargeException>(() => blobs.PutAsync(new MemoryStream(tooLarge)));

        Assert.Equal(1024, error.MaxBytes);
        Assert.Contains("MaxBlobBytes", error.Message);
        Assert.Null(await blobs.GetInfoAsync(Convert.ToHexStringLower(SHA256.HashData(tooLarge))));
        Assert.Equal(1024, (await blobs.PutAsync(new MemoryStream(Content(1024, 5)))).Size);
    }

    [Fact]
    public async Task Put_EmptyContent_IsABlobOfSizeZero()
    {
        var blobs = await StartBlobsAsync();

        var empty = await blobs.PutAsync(new MemoryStream());

        Assert.Equal(("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", 0L), (empty.Sha256, empty.Size));
        await using var read = await blobs.OpenReadAsync(empty.Sha256);
        Assert.Empty(await ReadAll(read!));
    }
}

public sealed class PostgresBlobConformanceTests : BlobConformanceTests
{
    protected override OrchestratorDatabaseOptions NewStore() => TestStores.Postgres("blob");
}

public sealed class SqliteBlobConformanceTests : BlobConformanceTests
{
    protected override OrchestratorDatabaseOptions NewStore() => TestStores.Sqlite();
}
