using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Orchestrator.Runtime.Clustering;
using Orchestrator.Runtime.OrleansReminders;
using Orchestrator.Runtime.Tests.ProviderSchema;
using Orleans;
using Orleans.Configuration;
using Orleans.Hosting;
using Orleans.Runtime;

namespace Orchestrator.Runtime.Tests.OrleansReminders;

/// <summary>
/// Orleans' <see cref="IReminderTable"/> contract, run against each reminder store we ship: Orleans' ADO.NET provider on
/// our PostgreSQL query texts, and our own SQLite table. Each test uses its own service id in a fresh schema or file.
/// </summary>
public abstract class ReminderTableContractTests : IAsyncLifetime
{
    private static readonly DateTime Start = new(2026, 12, 1, 8, 30, 15, 250, DateTimeKind.Utc);

    protected abstract Task CreateStoreAsync();

    protected abstract Task DropStoreAsync();

    /// <summary>A table of the current store for <paramref name="serviceId"/>, started.</summary>
    protected abstract Task<IReminderTable> OpenTableAsync(string serviceId);

    public Task InitializeAsync() => CreateStoreAsync();

    public Task DisposeAsync() => DropStoreAsync();

    private Task<IReminderTable> OpenTableAsync() => OpenTableAsync("svc-" + Guid.NewGuid().ToString("N"));

    private static GrainId NewGrain() => GrainId.Create("probe", Guid.NewGuid().ToString("N"));

    private static ReminderEntry Entry(GrainId grain, string name, DateTime? start = null, TimeSpan? period = null) =>
        new() { GrainId = grain, ReminderName = name, StartAt = start ?? Start, Period = period ?? TimeSpan.FromMinutes(1) };

    /// <summary>Orleans' ring range (begin, end]: wraps past uint.MaxValue when begin >= end; begin == end is the whole ring.</summary>
    private static bool InRange(uint hash, uint begin, uint end) => begin < end ? hash > begin && hash <= end : hash > begin || hash <= end;

    private static string Key(ReminderEntry e) => e.GrainId + "#" + e.ReminderName;

    [Fact]
    public async Task UpsertRow_NewReminder_ReadRowReturnsItWithItsETag()
    {
        var table = await OpenTableAsync();
        var grain = NewGrain();

        var etag = await table.UpsertRow(Entry(grain, "nightly", Start, TimeSpan.FromMinutes(5)));

        var read = await table.ReadRow(grain, "nightly");
        Assert.NotNull(etag);
        Assert.NotNull(read);
        Assert.Equal(grain, read.GrainId);
        Assert.Equal("nightly", read.ReminderName);
        Assert.Equal(Start, read.StartAt);
        Assert.Equal(DateTimeKind.Utc, read.StartAt.Kind);
        Assert.Equal(TimeSpan.FromMinutes(5), read.Period);
        Assert.Equal(etag, read.ETag);
    }

    [Fact]
    public async Task UpsertRow_ExistingReminder_ReplacesItsValuesAndMovesTheETag()
    {
        var table = await OpenTableAsync();
        var grain = NewGrain();
        var first = await table.UpsertRow(Entry(grain, "r", Start, TimeSpan.FromMinutes(1)));

        var second = await table.UpsertRow(Entry(grain, "r", Start.AddHours(1), TimeSpan.FromMinutes(10)));

        var read = await table.ReadRow(grain, "r");
        Assert.NotEqual(first, second);
        Assert.NotNull(read);
        Assert.Equal(second, read.ETag);
        Assert.Equal(Start.AddHours(1), read.StartAt);
        Assert.Equal(TimeSpan.FromMinutes(10), read.Period);
        Assert.Single((await table.ReadRows(grain)).Reminders);
    }

    [Fact]
    public async Task UpsertRow_PeriodBeyondInt32Milliseconds_RoundTrips()
    {
        var table = await OpenTableAsync();
        var grain = NewGrain();
        var period = TimeSpan.FromDays(40); // 3,456,000,000 ms: the provider passes it as a 64-bit parameter

        await table.UpsertRow(Entry(grain, "monthly", period: period));

        Assert.Equal(period, (await table.ReadRow(grain, "monthly"))!.Period);
    }

    [Fact]
    public async Task ReadRow_UnknownReminder_ReturnsNull()
    {
        var table = await OpenTableAsync();
        var grain = NewGrain();
        await table.UpsertRow(Entry(grain, "known"));

        Assert.Null(await table.ReadRow(grain, "unknown"));
        Assert.Null(await table.ReadRow(NewGrain(), "known"));
    }

    [Fact]
    public async Task ReadRows_ByGrain_ReturnsExactlyThatGrainsReminders()
    {
        var table = await OpenTableAsync();
        var grain = NewGrain();
        var other = NewGrain();
        await table.UpsertRow(Entry(grain, "a"));
        await table.UpsertRow(Entry(grain, "b"));
        await table.UpsertRow(Entry(other, "a"));

        var rows = await table.ReadRows(grain);

        Assert.Equal(["a", "b"], rows.Reminders.Select(r => r.ReminderName).Order(StringComparer.Ordinal));
        Assert.All(rows.Reminders, r => Assert.Equal(grain, r.GrainId));
        Assert.Empty((await table.ReadRows(NewGrain())).Reminders);
    }

    [Fact]
    public async Task RemoveRow_CurrentETag_RemovesTheRowOnce()
    {
        var table = await OpenTableAsync();
        var grain = NewGrain();
        var etag = await table.UpsertRow(Entry(grain, "r"));

        Assert.True(await table.RemoveRow(grain, "r", etag!));

        Assert.Null(await table.ReadRow(grain, "r"));
        Assert.False(await table.RemoveRow(grain, "r", etag!));
    }

    [Fact]
    public async Task RemoveRow_StaleETag_IsRefusedAndKeepsTheRow()
    {
        var table = await OpenTableAsync();
        var grain = NewGrain();
        var stale = await table.UpsertRow(Entry(grain, "r"));
        var current = await table.UpsertRow(Entry(grain, "r", period: TimeSpan.FromMinutes(2)));

        Assert.False(await table.RemoveRow(grain, "r", stale!));
        Assert.Equal(current, (await table.ReadRow(grain, "r"))!.ETag);
        Assert.True(await table.RemoveRow(grain, "r", current!));
    }

    [Fact]
    public async Task RemoveRow_UnknownRowOrForeignETag_ReturnsFalse()
    {
        var table = await OpenTableAsync();
        var grain = NewGrain();
        var etag = await table.UpsertRow(Entry(grain, "r"));

        Assert.False(await table.RemoveRow(NewGrain(), "r", etag!));
        Assert.False(await table.RemoveRow(grain, "other", etag!));
        Assert.False(await table.RemoveRow(grain, "r", "999999"));
        Assert.NotNull(await table.ReadRow(grain, "r"));
    }

    [Fact]
    public async Task RemoveRow_ManyRemoversWithTheSameETag_ExactlyOneSucceeds()
    {
        var table = await OpenTableAsync();
        var grain = NewGrain();
        var etag = await table.UpsertRow(Entry(grain, "r"));

        var results = await Task.WhenAll(Enumerable.Range(0, 12).Select(_ => Task.Run(() => table.RemoveRow(grain, "r", etag!))));

        Assert.Equal(1, results.Count(r => r));
        Assert.Null(await table.ReadRow(grain, "r"));
    }

    [Fact]
    public async Task UpsertRow_ManyWritersOnOneReminder_EachGetsADistinctETagAndTheLastOneHolds()
    {
        var table = await OpenTableAsync();
        var grain = NewGrain();

        var etags = await Task.WhenAll(Enumerable.Range(1, 12).Select(i => Task.Run(() => table.UpsertRow(Entry(grain, "r", period: TimeSpan.FromMinutes(i))))));

        Assert.Equal(etags.Length, etags.Distinct().Count());
        var read = await table.ReadRow(grain, "r");
        Assert.NotNull(read);
        Assert.Contains(read.ETag, etags);
        Assert.True(await table.RemoveRow(grain, "r", read.ETag!));
    }

    [Fact]
    public async Task ReadRows_Range_ExcludesItsBeginAndIncludesItsEnd()
    {
        var table = await OpenTableAsync();
        var grains = Enumerable.Range(0, 3).Select(_ => NewGrain()).OrderBy(g => g.GetUniformHashCode()).ToArray();
        foreach (var grain in grains)
        {
            await table.UpsertRow(Entry(grain, "r"));
        }
        var (low, mid, high) = (grains[0].GetUniformHashCode(), grains[1].GetUniformHashCode(), grains[2].GetUniformHashCode());

        Assert.Equal([grains[1]], (await table.ReadRows(low, mid)).Reminders.Select(r => r.GrainId));
        Assert.Equal([grains[1], grains[2]], (await table.ReadRows(low, high)).Reminders.Select(r => r.GrainId).OrderBy(g => g.GetUniformHashCode()));
        // Wrapping: above the highest, or up to the lowest.
        Assert.Equal([grains[0]], (await table.ReadRows(high, low)).Reminders.Select(r => r.GrainId));
        Assert.Equal(3, (await table.ReadRows(mid, mid)).Reminders.Count); // begin == end: the whole ring
    }

    [Fact]
    public async Task ReadRows_ManyRowsAndRanges_MatchOrleansRingSemanticsIncludingWrapAround()
    {
        var table = await OpenTableAsync();
        var entries = new List<ReminderEntry>();
        for (var i = 0; i < 600; i++)
        {
            entries.Add(Entry(NewGrain(), i % 3 == 0 ? "b" : "a", Start.AddSeconds(i), TimeSpan.FromMinutes(1 + (i % 7))));
        }
        await Parallel.ForEachAsync(entries, new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (e, ct) => await table.UpsertRow(e, ct));
        var hashes = entries.Select(e => e.GrainId.GetUniformHashCode()).Order().ToArray();
        (uint, uint)[] ranges =
        [
            (0, uint.MaxValue), (uint.MaxValue, 0), (0, 0), (uint.MaxValue, uint.MaxValue),
            (0x7FFF0000, 0x80010000), (0x80010000, 0x7FFF0000), // across the signed boundary, and its complement
            (0xFFFF0000, 0x00010000), (0x00010000, 0xFFFF0000), // across zero, and its complement
            (0x10000000, 0x20000000), (0xE0000000, 0xF0000000), (0x90000000, 0x10000000),
            (hashes[10], hashes[200]), (hashes[500], hashes[20]), (hashes[300], hashes[300]), (hashes[0], hashes[^1]),
        ];

        foreach (var (begin, end) in ranges)
        {
            var expected = entries.Where(e => InRange(e.GrainId.GetUniformHashCode(), begin, end)).Select(Key).Order(StringComparer.Ordinal);
            var actual = (await table.ReadRows(begin, end)).Reminders.Select(Key).Order(StringComparer.Ordinal);
            Assert.True(expected.SequenceEqual(actual), $"range ({begin:X8}, {end:X8}]: expected {expected.Count()} rows, read {actual.Count()}");
        }

        // The ring cut into 16 slices starting at an odd point: every reminder read exactly once, with its values.
        var offset = 0x8000_1234u;
        var seen = new List<ReminderEntry>();
        for (var slice = 0u; slice < 16; slice++)
        {
            seen.AddRange((await table.ReadRows(unchecked(offset + slice * 0x1000_0000u), unchecked(offset + (slice + 1) * 0x1000_0000u))).Reminders);
        }
        Assert.Equal(entries.Select(Key).Order(StringComparer.Ordinal), seen.Select(Key).Order(StringComparer.Ordinal));
        var byKey = entries.ToDictionary(Key);
        Assert.All(seen, r =>
        {
            Assert.Equal(byKey[Key(r)].StartAt, r.StartAt);
            Assert.Equal(byKey[Key(r)].Period, r.Period);
            Assert.NotNull(r.ETag);
        });
    }

    [Fact]
    public async Task Tables_OfDifferentServices_DoNotSeeOrClearEachOthersReminders()
    {
        var mine = await OpenTableAsync();
        var theirs = await OpenTableAsync();
        var grain = NewGrain();
        await mine.UpsertRow(Entry(grain, "r"));
        var theirETag = await theirs.UpsertRow(Entry(grain, "r", period: TimeSpan.FromMinutes(9)));

        await mine.TestOnlyClearTable();

        Assert.Null(await mine.ReadRow(grain, "r"));
        Assert.Empty((await mine.ReadRows(0, 0)).Reminders);
        var kept = await theirs.ReadRow(grain, "r");
        Assert.Equal(theirETag, kept!.ETag);
        Assert.Equal(TimeSpan.FromMinutes(9), kept.Period);
    }
}

public sealed class PostgresReminderTableContractTests : ReminderTableContractTests
{
    private PostgresProviderSchema? _schema;
    private readonly List<ServiceProvider> _providers = [];

    protected override async Task CreateStoreAsync() => _schema = await PostgresProviderSchema.CreateAsync("rem");

    protected override async Task DropStoreAsync()
    {
        foreach (var provider in _providers)
        {
            await provider.DisposeAsync();
        }
        await _schema!.DisposeAsync();
    }

    /// <summary>Orleans' own AdoNetReminderTable (internal), resolved the way a silo resolves it.</summary>
    protected override async Task<IReminderTable> OpenTableAsync(string serviceId)
    {
        var services = new ServiceCollection();
        services.AddLogging();
        services.Configure<ClusterOptions>(o => (o.ClusterId, o.ServiceId) = ("contract", serviceId));
        services.UseAdoNetReminderService(options => options.Configure(o =>
        {
            o.Invariant = OrchestratorClusteringExtensions.PostgresInvariant;
            o.ConnectionString = _schema!.ConnectionString;
        }));
        var provider = services.BuildServiceProvider();
        _providers.Add(provider);
        var table = provider.GetRequiredService<IReminderTable>();
        Assert.Equal("AdoNetReminderTable", table.GetType().Name);
        await table.StartAsync();
        return table;
    }
}

public sealed class SqliteReminderTableContractTests : ReminderTableContractTests
{
    private SqliteProviderFile? _file;

    protected override async Task CreateStoreAsync() => _file = await SqliteProviderFile.CreateAsync();

    protected override async Task DropStoreAsync() => await _file!.DisposeAsync();

    protected override async Task<IReminderTable> OpenTableAsync(string serviceId)
    {
        IReminderTable table = new SqliteReminderTable(
            Options.Create(new ClusterOptions { ClusterId = "contract", ServiceId = serviceId }),
            _file!.Database);
        await table.StartAsync();
        return table;
    }
}
