using Orchestrator.Grains.Retention;

namespace Orchestrator.Grains.Tests.Retention;

/// <summary>An S3-compatible archive bucket given as one URL, and the checks of its settings.</summary>
public sealed class ArchiveBucketOptionsTests
{
    [Theory]
    [InlineData("https://s3.eu-west-1.amazonaws.com/my-bucket/orch/archive", "https://s3.eu-west-1.amazonaws.com/", "my-bucket", "orch/archive", "s3.eu-west-1.amazonaws.com")]
    [InlineData("http://minio:9000/archive", "http://minio:9000/", "archive", "", "minio:9000")]
    [InlineData("http://127.0.0.1:54568/orch-archive/run-1/", "http://127.0.0.1:54568/", "orch-archive", "run-1", "127.0.0.1:54568")]
    public void Parse_PathStyleUrl_GivesEndpointBucketPrefixAndHost(string url, string endpoint, string bucket, string prefix, string host)
    {
        var address = BucketAddress.Parse(url, out var problem);

        Assert.Null(problem);
        Assert.Equal(endpoint, address!.Endpoint.ToString());
        Assert.Equal(bucket, address.Bucket);
        Assert.Equal(prefix, address.Prefix);
        Assert.Equal(host, address.Host);
        Assert.Equal(prefix.Length == 0 ? "audit/a.gz" : $"{prefix}/audit/a.gz", address.KeyOf("audit/a.gz"));
        Assert.Equal($"/{bucket}/{address.KeyOf("audit/a.gz")}", address.PathOf("audit/a.gz"));
    }

    [Theory]
    [InlineData("s3://bucket", "not an absolute http or https URL")]
    [InlineData("https://key:secret@s3.example.com/bucket", "holds credentials")]
    [InlineData("https://s3.example.com/", "names no bucket")]
    [InlineData("https://s3.example.com/Bad_Bucket", "is not a bucket name")]
    [InlineData("https://s3.example.com/bucket?x=1", "query or fragment")]
    public void Parse_BadUrl_SaysWhy(string url, string why)
    {
        Assert.Null(BucketAddress.Parse(url, out var problem));
        Assert.Contains(why, problem, StringComparison.Ordinal);
        Assert.DoesNotContain("secret", problem, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_BucketWithoutKeys_NamesBothSettings_AndNeverTheSecret()
    {
        var missing = new RetentionOptions { ArchiveBucket = "https://s3.example.com/bucket" }.Validate().ToList();
        Assert.Contains(missing, p => p.StartsWith("ArchiveBucketAccessKey, ArchiveBucketSecretKey:", StringComparison.Ordinal));

        var keysOnly = new RetentionOptions { ArchiveBucketAccessKey = "AK", ArchiveBucketSecretKey = "very-secret-value" }.Validate().ToList();
        Assert.Contains(keysOnly, p => p.StartsWith("ArchiveBucket: required", StringComparison.Ordinal));

        var badRegion = new RetentionOptions
        {
            ArchiveBucket = "https://s3.example.com/bucket", ArchiveBucketRegion = "EU West", ArchiveBucketAccessKey = "AK", ArchiveBucketSecretKey = "very-secret-value",
        }.Validate().ToList();
        Assert.Equal(["ArchiveBucketRegion: 'EU West' is not a region name such as us-east-1 (lowercase letters, digits and hyphens)."], badRegion);
        Assert.All(keysOnly.Concat(badRegion), p => Assert.DoesNotContain("very-secret-value", p, StringComparison.Ordinal));
    }

    [Fact]
    public void Describe_Bucket_ShowsItsUrlWithoutKeys_AndNoDirectory()
    {
        var options = new RetentionOptions
        {
            ArchiveBucket = "https://s3.example.com/bucket/orch", ArchiveBucketAccessKey = "AKID", ArchiveBucketSecretKey = "very-secret-value",
        };

        Assert.Empty(options.Validate());
        var settings = options.Describe();
        Assert.Equal("https://s3.example.com/bucket/orch", settings.ArchiveBucket);
        Assert.Null(settings.ArchiveDirectory);
        Assert.DoesNotContain("very-secret-value", settings.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain("AKID", settings.ToString(), StringComparison.Ordinal);
        Assert.IsType<ArchiveBucket>(options.OpenArchive(TimeProvider.System));
        Assert.IsType<ArchiveDirectory>(new RetentionOptions().OpenArchive(TimeProvider.System));
    }
}
