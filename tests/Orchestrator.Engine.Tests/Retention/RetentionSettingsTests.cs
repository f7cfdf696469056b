using Microsoft.Extensions.Configuration;
using Orchestrator.Silo;

namespace Orchestrator.Engine.Tests.Retention;

/// <summary>Retention settings are silo settings like the others: defaults, ORCH_* and arguments, off, checked with names.</summary>
public sealed class RetentionSettingsTests
{
    private static (SiloSettings Settings, List<string> Errors) Read(Dictionary<string, string?> environment, params string[] args)
    {
        var builder = new ConfigurationBuilder();
        var errors = new List<string>(SiloConfiguration.AddSources(builder, environment, args));
        return (SiloConfiguration.Read(builder.Build(), errors), errors);
    }

    [Fact]
    public void Read_Nothing_Keeps30DaysOfEachKindAndArchives()
    {
        var (settings, errors) = Read([]);

        Assert.Empty(errors);
        var r = settings.Retention;
        Assert.Equal(TimeSpan.FromDays(30), r.InstanceRetention);
        Assert.Equal(TimeSpan.FromDays(30), r.LogRetention);
        Assert.Equal(TimeSpan.FromDays(30), r.AuditRetention);
        Assert.Equal(TimeSpan.FromDays(30), r.FileRetention);
        Assert.True(r.Archive);
        Assert.Equal(Path.Combine("data", "archive"), r.ArchiveDirectory);
        Assert.Equal(TimeSpan.FromHours(1), r.RetentionInterval);
        Assert.Equal(500, r.RetentionBatchSize);
        Assert.Equal(TimeSpan.FromMilliseconds(200), r.RetentionBatchPause);
    }

    [Fact]
    public void Read_EnvironmentAndArguments_SetEachSettingArgumentsWinning()
    {
        var (settings, errors) = Read(new()
        {
            ["ORCH_INSTANCE_RETENTION"] = "7.00:00:00",
            ["ORCH_LOG_RETENTION"] = "off",
            ["ORCH_AUDIT_RETENTION"] = "0",
            ["ORCH_FILE_RETENTION"] = "90.00:00:00",
            ["ORCH_ARCHIVE_DIRECTORY"] = "/var/lib/orch/archive",
            ["ORCH_RETENTION_BATCH_SIZE"] = "50",
        }, "--instance-retention", "14.00:00:00", "--archive", "false", "--retention-interval", "00:10:00", "--retention-batch-pause", "00:00:01");

        Assert.Empty(errors);
        var r = settings.Retention;
        Assert.Equal(TimeSpan.FromDays(14), r.InstanceRetention);
        Assert.Equal(TimeSpan.Zero, r.LogRetention);
        Assert.Equal(TimeSpan.Zero, r.AuditRetention);
        Assert.Equal(TimeSpan.FromDays(90), r.FileRetention);
        Assert.False(r.Archive);
        Assert.Equal("/var/lib/orch/archive", r.ArchiveDirectory);
        Assert.Equal(TimeSpan.FromMinutes(10), r.RetentionInterval);
        Assert.Equal(50, r.RetentionBatchSize);
        Assert.Equal(TimeSpan.FromSeconds(1), r.RetentionBatchPause);
        Assert.Null(r.Describe().Logs);
        Assert.Null(r.Describe().ArchiveDirectory);
    }

    [Theory]
    [InlineData("--instance-retention", "00:00:30", "InstanceRetention: 00:00:30 is outside")]
    [InlineData("--log-retention", "-1.00:00:00", "LogRetention: -1.00:00:00 is outside")]
    [InlineData("--retention-interval", "00:00:10", "RetentionInterval: 00:00:10 is outside")]
    [InlineData("--retention-batch-size", "0", "RetentionBatchSize: 0 is outside")]
    [InlineData("--retention-batch-pause", "00:05:00", "RetentionBatchPause: 00:05:00 is outside")]
    [InlineData("--archive-directory", " ", "ArchiveDirectory: required while Archive is true")]
    public void Read_BadValue_IsAnErrorNamingTheSetting(string argument, string value, string expected)
    {
        var (_, errors) = Read([], argument, value);

        Assert.Contains(errors, e => e.StartsWith(expected, StringComparison.Ordinal));
    }

    [Fact]
    public void Read_ValueThatIsNoDuration_IsAnErrorNamingTheSetting()
    {
        var (_, errors) = Read(new() { ["ORCH_AUDIT_RETENTION"] = "a month" });

        Assert.Contains(errors, e => e.Contains("AuditRetention", StringComparison.Ordinal));
    }

    [Fact]
    public void Read_ArchiveBucket_FromEnvironmentAndASecretFile()
    {
        var secretFile = Path.Combine(Path.GetTempPath(), "orch-bucket-secret-" + Guid.NewGuid().ToString("N")[..8]);
        File.WriteAllText(secretFile, "file-held-secret-value\n");
        try
        {
            var (settings, errors) = Read(new()
            {
                ["ORCH_ARCHIVE_BUCKET"] = "https://s3.eu-west-1.amazonaws.com/my-bucket/orch",
                ["ORCH_ARCHIVE_BUCKET_REGION"] = "eu-west-1",
                ["ORCH_ARCHIVE_BUCKET_ACCESS_KEY"] = "AKIDEXAMPLE",
                ["ORCH_ARCHIVE_BUCKET_SECRET_KEY_FILE"] = secretFile,
            });

            Assert.Empty(errors);
            var r = settings.Retention;
            Assert.Equal("https://s3.eu-west-1.amazonaws.com/my-bucket/orch", r.ArchiveBucket);
            Assert.Equal("eu-west-1", r.ArchiveBucketRegion);
            Assert.Equal("AKIDEXAMPLE", r.ArchiveBucketAccessKey);
            Assert.Equal("file-held-secret-value", r.ArchiveBucketSecretKey); // the file's one line break dropped
        }
        finally
        {
            File.Delete(secretFile);
        }
    }

    [Fact]
    public void Read_ArchiveBucketWithCredentialsInItsUrl_IsRefusedWithoutEchoingThem()
    {
        var (_, errors) = Read([], "--archive-bucket", "https://AKID:url-held-secret@s3.example.com/bucket");

        var error = Assert.Single(errors, e => e.StartsWith("ArchiveBucket:", StringComparison.Ordinal));
        Assert.Contains("holds credentials", error, StringComparison.Ordinal);
        Assert.DoesNotContain("url-held-secret", string.Join("\n", errors), StringComparison.Ordinal);
    }
}
