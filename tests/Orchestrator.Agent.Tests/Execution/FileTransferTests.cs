using System.Security.Cryptography;
using System.Text;
using Orchestrator.Agent.Protocol;
using Orchestrator.Agent.Tests.Infrastructure;

namespace Orchestrator.Agent.Tests.Execution;

public sealed class FileTransferTests
{
    [Fact]
    public async Task Download_ChecksumsMatch_WritesFilesWithMode()
    {
        await using var harness = await AgentHarness.StartAsync();
        var first = Encoding.UTF8.GetBytes("first file\n");
        var second = RandomNumberGenerator.GetBytes(300_000);
        var target = Path.Combine(harness.Directory, "target", "nested");
        var assignment = new Assignment
        {
            Id = harness.NewId("dl"),
            Host = harness.Host,
            Kind = AssignmentKind.Download,
            Files = [new FileWork("one.txt", harness.Server.PutFile(first), first.Length), new FileWork("two.bin", harness.Server.PutFile(second), second.Length)],
            TargetDirectory = target,
            Mode = "0640",
        };

        var finished = await harness.EnqueueAndWaitAsync(assignment);

        Assert.Equal(AgentOutcome.Succeeded, finished.Outcome);
        Assert.Equal(first, await File.ReadAllBytesAsync(Path.Combine(target, "one.txt")));
        Assert.Equal(second, await File.ReadAllBytesAsync(Path.Combine(target, "two.bin")));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead, File.GetUnixFileMode(Path.Combine(target, "one.txt")));
        Assert.Equal(["one.txt", "two.bin"], Directory.GetFiles(target).Select(Path.GetFileName).Order());
        Assert.Contains(harness.Server.Events(assignment.Id), e => e.Type == AgentEventType.Started);
    }

    [Fact]
    public async Task Download_ChecksumMismatch_FailsWithMessageAndWritesNothing()
    {
        await using var harness = await AgentHarness.StartAsync();
        var claimed = Convert.ToHexStringLower(SHA256.HashData("what was promised"u8));
        harness.Server.PutFile(claimed, "something else"u8.ToArray());
        var target = Path.Combine(harness.Directory, "target");
        var assignment = new Assignment
        {
            Id = harness.NewId("dl"),
            Host = harness.Host,
            Kind = AssignmentKind.Download,
            Files = [new FileWork("app.conf", claimed, 17)],
            TargetDirectory = target,
        };

        var finished = await harness.EnqueueAndWaitAsync(assignment);

        Assert.Equal(AgentOutcome.Failed, finished.Outcome);
        Assert.Contains($"'app.conf': checksum mismatch: expected SHA-256 {claimed}", harness.Server.Log(assignment.Id, "system"), StringComparison.Ordinal);
        Assert.Empty(Directory.GetFiles(target));
    }

    [Fact]
    public async Task Download_FileUnknownToServer_Fails()
    {
        await using var harness = await AgentHarness.StartAsync();
        var assignment = new Assignment
        {
            Id = harness.NewId("dl"),
            Host = harness.Host,
            Kind = AssignmentKind.Download,
            Files = [new FileWork("missing.bin", new string('a', 64), 1)],
            TargetDirectory = Path.Combine(harness.Directory, "target"),
        };

        var finished = await harness.EnqueueAndWaitAsync(assignment);

        Assert.Equal(AgentOutcome.Failed, finished.Outcome);
        Assert.Contains("404", harness.Server.Log(assignment.Id, "system"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Upload_ExistingFile_StoresItAndReportsChecksum()
    {
        await using var harness = await AgentHarness.StartAsync();
        var content = RandomNumberGenerator.GetBytes(200_000);
        var path = Path.Combine(harness.Directory, "artifact.bin");
        await File.WriteAllBytesAsync(path, content);
        var assignment = new Assignment { Id = harness.NewId("up"), Host = harness.Host, Kind = AssignmentKind.Upload, UploadPath = path };

        var finished = await harness.EnqueueAndWaitAsync(assignment);

        Assert.Equal(AgentOutcome.Succeeded, finished.Outcome);
        var sha = Convert.ToHexStringLower(SHA256.HashData(content));
        Assert.Equal(sha, finished.UploadedSha256);
        Assert.Equal(content, harness.Server.File(sha));
    }

    [Fact]
    public async Task Upload_MissingFile_Fails()
    {
        await using var harness = await AgentHarness.StartAsync();
        var assignment = new Assignment
        {
            Id = harness.NewId("up"),
            Host = harness.Host,
            Kind = AssignmentKind.Upload,
            UploadPath = Path.Combine(harness.Directory, "nope.bin"),
        };

        var finished = await harness.EnqueueAndWaitAsync(assignment);

        Assert.Equal(AgentOutcome.Failed, finished.Outcome);
        Assert.Null(finished.UploadedSha256);
        Assert.Contains("does not exist", harness.Server.Log(assignment.Id, "system"), StringComparison.Ordinal);
    }
}
