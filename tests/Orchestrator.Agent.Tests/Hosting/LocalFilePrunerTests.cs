using Microsoft.Extensions.Logging.Abstractions;
using Orchestrator.Agent.Hosting;
using Orchestrator.Agent.Tests.Infrastructure;

namespace Orchestrator.Agent.Tests.Hosting;

/// <summary>The agent keeps files in its work and state directories for the configured days, at start and then daily.</summary>
public sealed class LocalFilePrunerTests : IDisposable
{
    private static readonly DateTimeOffset Now = new(2026, 12, 5, 12, 0, 0, TimeSpan.Zero);
    private readonly string _work = Path.Combine(Path.GetTempPath(), "orch-prune-" + Guid.NewGuid().ToString("N")[..8]);

    private AgentOptions Options(TimeSpan retention) => new() { WorkDirectory = _work, LocalRetention = retention };

    private string Write(string relative, TimeSpan age)
    {
        var path = Path.Combine(_work, relative);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, "x");
        File.SetLastWriteTimeUtc(path, (Now - age).UtcDateTime);
        return path;
    }

    [Fact]
    public void Prune_FilesOlderThanTheRetention_DeletedYoungerAndJournalRecordsKept()
    {
        var oldScript = Write("scripts/a-1.sh", TimeSpan.FromDays(8));
        var youngScript = Write("scripts/b-2.sh", TimeSpan.FromDays(6));
        var oldOutput = Write("reports/run.log", TimeSpan.FromDays(30));
        var journal = Write("state/pg-123.json", TimeSpan.FromDays(40));
        var oldStateFile = Write("state/leftover.tmp", TimeSpan.FromDays(40));
        Directory.SetLastWriteTimeUtc(Path.Combine(_work, "reports"), (Now - TimeSpan.FromDays(30)).UtcDateTime);
        var pruner = new LocalFilePruner(Options(TimeSpan.FromDays(7)), new ManualTimeProvider(Now), NullLogger.Instance);

        var deleted = pruner.Prune();

        Assert.Equal(3, deleted);
        Assert.False(File.Exists(oldScript));
        Assert.False(File.Exists(oldOutput));
        Assert.False(File.Exists(oldStateFile));
        Assert.True(File.Exists(youngScript));
        Assert.True(File.Exists(journal), "process-group records stay: crash safety needs them");
        Assert.False(Directory.Exists(Path.Combine(_work, "reports")), "an old folder left empty goes too");
        Assert.True(Directory.Exists(Path.Combine(_work, "state")));
    }

    [Fact]
    public void Prune_RetentionZero_KeepsEverything()
    {
        var old = Write("scripts/a-1.sh", TimeSpan.FromDays(400));
        var pruner = new LocalFilePruner(Options(TimeSpan.Zero), new ManualTimeProvider(Now), NullLogger.Instance);

        Assert.Equal(0, pruner.Prune());
        Assert.True(File.Exists(old));
    }

    [Fact]
    public async Task RunAsync_ADayLater_PrunesWhatHasAgedSince()
    {
        var clock = new ManualTimeProvider(Now);
        var script = Write("scripts/a-1.sh", TimeSpan.FromDays(6) + TimeSpan.FromHours(12));
        using var stop = new CancellationTokenSource();
        var loop = new LocalFilePruner(Options(TimeSpan.FromDays(7)), clock, NullLogger.Instance).RunAsync(stop.Token);
        Assert.True(File.Exists(script), "six and a half days old at start: kept");
        Assert.Equal(Now + LocalFilePruner.Period, clock.NextDue);

        clock.Advance(LocalFilePruner.Period);

        await Eventually.True(() => !File.Exists(script), "the script pruned at the daily run");
        await stop.CancelAsync();
        await loop;
    }

    [Fact]
    public void Parse_LocalRetention_TakesDaysAndRefusesNegative()
    {
        var parsed = AgentCommandLine.Parse(["--server", "http://o:5080", "--token", "t", "--local-retention", "3d"], new Dictionary<string, string?>());
        Assert.Empty(parsed.Errors);
        Assert.Equal(TimeSpan.FromDays(3), parsed.Options.LocalRetention);
        Assert.Equal(TimeSpan.FromDays(7), new AgentOptions().LocalRetention);
        Assert.Contains(new AgentOptions { Server = new Uri("http://o:5080"), Token = "t", LocalRetention = TimeSpan.FromDays(-1) }.Validate(),
            e => e.StartsWith("LocalRetention:", StringComparison.Ordinal));
    }

    public void Dispose()
    {
        if (Directory.Exists(_work))
        {
            Directory.Delete(_work, recursive: true);
        }
    }
}
