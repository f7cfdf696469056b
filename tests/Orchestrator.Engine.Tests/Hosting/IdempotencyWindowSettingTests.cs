using Microsoft.Extensions.Configuration;
using Orchestrator.Silo;

namespace Orchestrator.Engine.Tests.Hosting;

/// <summary>The idempotency window is a silo setting like the others: default 24 h, ORCH_* and arguments, checked.</summary>
public sealed class IdempotencyWindowSettingTests
{
    private static (SiloSettings Settings, List<string> Errors) Read(Dictionary<string, string?> environment, params string[] args)
    {
        var builder = new ConfigurationBuilder();
        var errors = new List<string>(SiloConfiguration.AddSources(builder, environment, args));
        return (SiloConfiguration.Read(builder.Build(), errors), errors);
    }

    [Fact]
    public void Read_Nothing_Is24Hours()
    {
        var (settings, errors) = Read([]);

        Assert.Empty(errors);
        Assert.Equal(TimeSpan.FromHours(24), settings.Idempotency.IdempotencyWindow);
    }

    [Fact]
    public void Read_EnvironmentAndArgument_SetTheWindowArgumentWinning()
    {
        var (fromEnvironment, _) = Read(new() { ["ORCH_IDEMPOTENCY_WINDOW"] = "2.00:00:00" });
        var (fromArgument, errors) = Read(new() { ["ORCH_IDEMPOTENCY_WINDOW"] = "2.00:00:00" }, "--idempotency-window", "06:00:00");

        Assert.Empty(errors);
        Assert.Equal(TimeSpan.FromDays(2), fromEnvironment.Idempotency.IdempotencyWindow);
        Assert.Equal(TimeSpan.FromHours(6), fromArgument.Idempotency.IdempotencyWindow);
    }

    [Fact]
    public void Read_WindowUnderAMinute_IsAnErrorNamingTheSetting()
    {
        var (_, errors) = Read([], "--idempotency-window", "00:00:10");

        Assert.Contains(errors, e => e.StartsWith("IdempotencyWindow: 00:00:10 is outside", StringComparison.Ordinal));
    }
}
