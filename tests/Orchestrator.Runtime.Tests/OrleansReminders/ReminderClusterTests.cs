using Microsoft.Extensions.DependencyInjection;
using Orchestrator.Runtime.Durable;
using Orchestrator.Runtime.OrleansReminders;
using Orchestrator.Runtime.Persistence;
using Orchestrator.Runtime.Tests.Infrastructure;
using Orchestrator.Runtime.Tests.ProviderSchema;
using Orleans;
using Orleans.Hosting;
using Orleans.Reminders;
using Orleans.Runtime;
using Orleans.TestingHost;

namespace Orchestrator.Runtime.Tests.OrleansReminders;

/// <summary>
/// Real reminders in a test cluster, on each reminder store we ship, wired as a silo wires them
/// (<c>AddOrchestratorDatabase</c> on an empty store + <c>UseOrchestratorReminders</c>: the database creates the table as
/// the silo starts). The reminder service and grain timers run on a manual orchestrator clock (the keyed
/// <see cref="ReminderTimeProviderNames.Reminders"/> and <see cref="TimeProviderNames.Grains"/> clocks; the silos' own
/// clock stays the system's): a test advances it by whole reminder periods, each time after the reminder's wait is armed,
/// and expects exactly the ticks those periods make.
/// </summary>
public abstract class ReminderClusterTests : IAsyncLifetime
{
    protected static readonly DateTimeOffset Epoch = new(2026, 12, 1, 6, 0, 0, TimeSpan.Zero);
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(30);
    private readonly ManualTimeProvider _clock = new(Epoch, fireOnThreadPool: true);
    private readonly ReminderTickLog _ticks = new();
    private readonly ReminderWatch _watch = new();
    private InProcessTestCluster? _cluster;

    /// <summary>How many silos share the store.</summary>
    protected abstract short SiloCount { get; }

    protected abstract Task CreateStoreAsync();

    protected abstract Task DropStoreAsync();

    /// <summary>The store's connection string; the store starts empty.</summary>
    protected abstract string Store { get; }

    protected abstract string ConnectionString { get; }

    /// <summary>The reminder table class the silo should resolve for the store.</summary>
    protected abstract string ExpectedTable { get; }

    public async Task InitializeAsync()
    {
        await CreateStoreAsync();
        var builder = new InProcessTestClusterBuilder(SiloCount);
        builder.Options.ConfigureFileLogging = false;
        builder.ConfigureSilo((_, silo) =>
        {
            silo.AddOrchestratorDatabase(o => (o.Store, o.ConnectionString) = (Store, ConnectionString));
            silo.UseOrchestratorReminders();
            silo.Services.AddOrchestratorClock(_clock);
            silo.Services.AddSingleton(_ticks);
        });
        _cluster = builder.Build();
        await _cluster.DeployAsync();
        foreach (var silo in _cluster.Silos)
        {
            await _watch.WaitServiceStartedAsync(silo.SiloAddress);
        }
    }

    public async Task DisposeAsync()
    {
        _watch.Dispose();
        if (_cluster is not null)
        {
            await _cluster.DisposeAsync();
        }
        await DropStoreAsync();
    }

    private InProcessTestCluster Cluster => _cluster!;

    /// <summary>Grain calls go through a silo's own grain factory: the test cluster's client would outlive none of the silos.</summary>
    private IReminderProbeGrain Probe(string key) =>
        Cluster.Silos[0].SiloHost.Services.GetRequiredService<IGrainFactory>().GetGrain<IReminderProbeGrain>(key);

    private IReminderTable Table => Cluster.Silos[0].SiloHost.Services.GetRequiredService<IReminderTable>();

    private static GrainId IdOf(IReminderProbeGrain grain) => grain.GetGrainId();

    private Task<List<ReminderTick>> TicksAsync(string grain, string reminder, int count) =>
        Eventually.Until(() => Task.FromResult(_ticks.Of(grain, reminder)), t => t.Count >= count, Deadline, $"{count} ticks of {grain}/{reminder}");

    /// <summary>Moves the clock by <paramref name="by"/> once the reminder's next wait is armed (the <paramref name="armed"/>+1-th).</summary>
    private async Task<int> AdvanceWhenArmedAsync(IReminderProbeGrain grain, string reminder, int armed, TimeSpan by)
    {
        var now = await _watch.WaitArmedAsync(IdOf(grain), reminder, armed);
        _clock.Advance(by);
        return now;
    }

    [Fact]
    public async Task Register_TicksAtTheDueTimeThenEveryPeriod_AndTheRowHoldsTheSchedule()
    {
        var grain = Probe("register-" + Guid.NewGuid().ToString("N"));
        var key = grain.GetPrimaryKeyString();

        await grain.Register("beat", dueTime: TimeSpan.FromMinutes(1), period: TimeSpan.FromMinutes(2));

        Assert.Equal(ExpectedTable, Table.GetType().Name);
        var row = await Table.ReadRow(IdOf(grain), "beat");
        Assert.NotNull(row);
        Assert.Equal(Epoch.AddMinutes(1).UtcDateTime, row.StartAt);
        Assert.Equal(TimeSpan.FromMinutes(2), row.Period);
        Assert.Equal(["beat"], await grain.Registered());
        var armed = await AdvanceWhenArmedAsync(grain, "beat", 0, TimeSpan.FromMinutes(1));
        var first = Assert.Single(await TicksAsync(key, "beat", 1));
        Assert.Equal(Epoch.AddMinutes(1).UtcDateTime, first.CurrentTickTime);
        Assert.Equal(Epoch.AddMinutes(1).UtcDateTime, first.FirstTickTime);
        Assert.Equal(TimeSpan.FromMinutes(2), first.Period);
        armed = await AdvanceWhenArmedAsync(grain, "beat", armed, TimeSpan.FromMinutes(2));
        armed = await AdvanceWhenArmedAsync(grain, "beat", armed, TimeSpan.FromMinutes(2));
        var ticks = await TicksAsync(key, "beat", 3);
        Assert.Equal([1, 3, 5], ticks.Select(t => (int)(t.CurrentTickTime - Epoch.UtcDateTime).TotalMinutes));
        await _watch.WaitArmedAsync(IdOf(grain), "beat", armed);
        Assert.Equal(3, _ticks.Of(key, "beat").Count);
    }

    [Fact]
    public async Task ChangePeriod_ReplacesTheScheduleAndTheETag()
    {
        var grain = Probe("change-" + Guid.NewGuid().ToString("N"));
        var key = grain.GetPrimaryKeyString();
        await grain.Register("beat", TimeSpan.FromMinutes(1), TimeSpan.FromMinutes(1));
        var armed = await AdvanceWhenArmedAsync(grain, "beat", 0, TimeSpan.FromMinutes(1));
        await TicksAsync(key, "beat", 1);
        var before = (await Table.ReadRow(IdOf(grain), "beat"))!.ETag;
        armed = await _watch.WaitArmedAsync(IdOf(grain), "beat", armed);

        await grain.Register("beat", TimeSpan.FromMinutes(5), TimeSpan.FromMinutes(5));

        var row = await Table.ReadRow(IdOf(grain), "beat");
        Assert.NotEqual(before, row!.ETag);
        Assert.Equal(TimeSpan.FromMinutes(5), row.Period);
        Assert.Equal(Epoch.AddMinutes(6).UtcDateTime, row.StartAt);
        // Under the old schedule the next tick was due a minute from now; under the new one it is five.
        armed = await AdvanceWhenArmedAsync(grain, "beat", armed, TimeSpan.FromMinutes(1));
        _clock.Advance(TimeSpan.FromMinutes(4));
        var ticks = await TicksAsync(key, "beat", 2);
        Assert.Equal([1, 6], ticks.Select(t => (int)(t.CurrentTickTime - Epoch.UtcDateTime).TotalMinutes));
        Assert.Equal(TimeSpan.FromMinutes(5), ticks[1].Period);
        armed = await AdvanceWhenArmedAsync(grain, "beat", armed, TimeSpan.FromMinutes(5));
        Assert.Equal([1, 6, 11], (await TicksAsync(key, "beat", 3)).Select(t => (int)(t.CurrentTickTime - Epoch.UtcDateTime).TotalMinutes));
    }

    [Fact]
    public async Task Unregister_RemovesTheRowAndStopsTheTicks()
    {
        var grain = Probe("remove-" + Guid.NewGuid().ToString("N"));
        var sentinel = Probe("sentinel-" + Guid.NewGuid().ToString("N"));
        var key = grain.GetPrimaryKeyString();
        await grain.Register("beat", TimeSpan.FromMinutes(1), TimeSpan.FromMinutes(1));
        var armed = await AdvanceWhenArmedAsync(grain, "beat", 0, TimeSpan.FromMinutes(1));
        await TicksAsync(key, "beat", 1);
        await _watch.WaitArmedAsync(IdOf(grain), "beat", armed);

        await grain.Unregister("beat");

        Assert.Null(await Table.ReadRow(IdOf(grain), "beat"));
        Assert.Empty(await grain.Registered());
        await _watch.WaitAsync<Orleans.Reminders.Diagnostics.ReminderEvents.LocalReminderStopped>(IdOf(grain), "beat", 0);
        // A sentinel due when the removed reminder would have ticked twice more: once it has ticked, those ticks would have too.
        await sentinel.Register("beat", TimeSpan.FromMinutes(2), TimeSpan.FromMinutes(1));
        await AdvanceWhenArmedAsync(sentinel, "beat", 0, TimeSpan.FromMinutes(2));
        await TicksAsync(sentinel.GetPrimaryKeyString(), "beat", 1);
        Assert.Single(_ticks.Of(key, "beat"));
    }

    [Fact]
    public async Task SiloRestart_TheReminderSurvivesInTheStoreAndTicksOnTheNewSilo()
    {
        var grain = Probe("restart-" + Guid.NewGuid().ToString("N"));
        var key = grain.GetPrimaryKeyString();
        await grain.Register("beat", TimeSpan.FromMinutes(1), TimeSpan.FromMinutes(1));
        await AdvanceWhenArmedAsync(grain, "beat", 0, TimeSpan.FromMinutes(1));
        var first = Assert.Single(await TicksAsync(key, "beat", 1));
        var etag = (await Table.ReadRow(IdOf(grain), "beat"))!.ETag;
        var oldSilos = Cluster.Silos.Select(s => s.SiloAddress.ToString()).ToHashSet();

        foreach (var silo in Cluster.Silos.ToList())
        {
            await Cluster.StopSiloAsync(silo);
        }
        var armedBefore = _watch.ArmedCount(IdOf(grain), "beat");
        await Cluster.StartSilosAsync(SiloCount);
        foreach (var silo in Cluster.Silos)
        {
            await _watch.WaitServiceStartedAsync(silo.SiloAddress);
        }

        Assert.Equal(etag, (await Table.ReadRow(IdOf(grain), "beat"))!.ETag);
        await AdvanceWhenArmedAsync(grain, "beat", armedBefore, TimeSpan.FromMinutes(1));
        var ticks = await TicksAsync(key, "beat", 2);
        Assert.Equal(2, ticks.Count);
        Assert.Equal(first.CurrentTickTime.AddMinutes(1), ticks[1].CurrentTickTime);
        Assert.DoesNotContain(ticks[1].Silo, oldSilos);
    }
}

/// <summary>Two silos on one PostgreSQL schema through Orleans' ADO.NET reminder provider and our query texts.</summary>
public sealed class PostgresReminderClusterTests : ReminderClusterTests
{
    private PostgresProviderSchema? _schema;

    protected override short SiloCount => 2;

    protected override string Store => OrchestratorDatabaseOptions.Postgres;

    protected override string ConnectionString => _schema!.ConnectionString;

    protected override string ExpectedTable => "AdoNetReminderTable";

    protected override async Task CreateStoreAsync() => _schema = await PostgresProviderSchema.CreateAsync("remc", migrate: false);

    protected override async Task DropStoreAsync() => await _schema!.DisposeAsync();
}

/// <summary>One silo on its SQLite file through our own reminder table.</summary>
public sealed class SqliteReminderClusterTests : ReminderClusterTests
{
    private SqliteProviderFile? _file;

    protected override short SiloCount => 1;

    protected override string Store => OrchestratorDatabaseOptions.Sqlite;

    protected override string ConnectionString => _file!.ConnectionString;

    protected override string ExpectedTable => nameof(SqliteReminderTable);

    protected override async Task CreateStoreAsync() => _file = await SqliteProviderFile.CreateAsync(migrate: false);

    protected override async Task DropStoreAsync() => await _file!.DisposeAsync();
}
