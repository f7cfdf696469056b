using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Orchestrator.Runtime.Clustering;
using Orchestrator.Runtime.Tests.ProviderSchema;
using Orleans;
using Orleans.Configuration;
using Orleans.Runtime;
using Orleans.Runtime.Membership;
using Orleans.Runtime.MembershipService;

namespace Orchestrator.Runtime.Tests.Clustering;

/// <summary>
/// Orleans' <see cref="IMembershipTable"/> contract, on the ADO.NET clustering provider (<see cref="AdoNetClusteringTable"/>,
/// the class a silo resolves) running our PostgreSQL query texts: the table version moves with every membership write and
/// only a writer holding the current version wins; heartbeats do not move it; reads return the version with the rows.
/// </summary>
public sealed class MembershipTableContractTests : IAsyncLifetime
{
    private static readonly DateTime Now = new(2026, 12, 1, 9, 0, 0, 125, DateTimeKind.Utc);
    private PostgresProviderSchema _schema = null!;
    private readonly ServiceProvider _services = new ServiceCollection().BuildServiceProvider();

    public async Task InitializeAsync() => _schema = await PostgresProviderSchema.CreateAsync("mbr");

    public async Task DisposeAsync()
    {
        await _services.DisposeAsync();
        await _schema.DisposeAsync();
    }

    private async Task<AdoNetClusteringTable> OpenAsync(string clusterId, bool tryInitTableVersion = true)
    {
        var table = new AdoNetClusteringTable(
            _services,
            Options.Create(new ClusterOptions { ClusterId = clusterId, ServiceId = "svc" }),
            Options.Create(new AdoNetClusteringSiloOptions { Invariant = OrchestratorClusteringExtensions.PostgresInvariant, ConnectionString = _schema.ConnectionString }),
            NullLogger<AdoNetClusteringTable>.Instance);
        await table.InitializeMembershipTableAsync(tryInitTableVersion);
        return table;
    }

    private static MembershipEntry Silo(int port, int generation = 1, SiloStatus status = SiloStatus.Joining, DateTime? aliveAt = null, DateTime? startedAt = null) => new()
    {
        SiloAddress = SiloAddress.New(IPAddress.Loopback, port, generation),
        SiloName = $"silo-{port}",
        HostName = "host-a",
        Status = status,
        ProxyPort = port + 1000,
        StartTime = startedAt ?? Now,
        IAmAliveTime = aliveAt ?? Now,
    };

    private static TableVersion NextOf(MembershipTableData data) => data.Version.Next();

    private async Task<MembershipEntry> InsertAsync(AdoNetClusteringTable table, MembershipEntry entry)
    {
        Assert.True(await table.InsertRowAsync(entry, NextOf(await table.ReadAllAsync())), $"insert of {entry.SiloAddress}");
        return entry;
    }

    [Fact]
    public async Task InitializeMembershipTable_CalledByEverySilo_CreatesOneVersionRowAtZero()
    {
        var clusterId = "c-" + Guid.NewGuid().ToString("N");
        var first = await OpenAsync(clusterId);
        await OpenAsync(clusterId);

        var data = await first.ReadAllAsync();

        Assert.Equal(0, data.Version.Version);
        Assert.Equal("0", data.Version.VersionEtag);
        Assert.Empty(data.Members);
        var rows = await _schema.QueryAsync("SELECT version FROM orch_cluster_version WHERE deployment_id = @id", ("id", clusterId));
        Assert.Equal(0, Assert.Single(rows)["version"]);
    }

    [Fact]
    public async Task InsertRow_AtCurrentVersion_AddsTheSiloAndMovesTheVersion()
    {
        var table = await OpenAsync("c1");
        var entry = Silo(11111, generation: 42);

        Assert.True(await table.InsertRowAsync(entry, NextOf(await table.ReadAllAsync())));

        var data = await table.ReadAllAsync();
        Assert.Equal(1, data.Version.Version);
        var (read, etag) = Assert.Single(data.Members);
        Assert.Equal(data.Version.VersionEtag, etag);
        Assert.Equal(entry.SiloAddress, read.SiloAddress);
        Assert.Equal("silo-11111", read.SiloName);
        Assert.Equal("host-a", read.HostName);
        Assert.Equal(SiloStatus.Joining, read.Status);
        Assert.Equal(12111, read.ProxyPort);
        Assert.Equal(Now, read.StartTime);
        Assert.Equal(Now, read.IAmAliveTime);
        Assert.Equal(DateTimeKind.Utc, read.IAmAliveTime.Kind);
        Assert.Null(read.SuspectTimes);
    }

    [Fact]
    public async Task InsertRow_WithAStaleVersion_IsRefusedAndChangesNothing()
    {
        var table = await OpenAsync("c1");
        var stale = await table.ReadAllAsync();
        await InsertAsync(table, Silo(11111));

        Assert.False(await table.InsertRowAsync(Silo(22222), NextOf(stale)));

        var data = await table.ReadAllAsync();
        Assert.Equal(1, data.Version.Version);
        Assert.Equal([11111], data.Members.Select(m => m.Item1.SiloAddress.Endpoint.Port));
    }

    [Fact]
    public async Task InsertRow_TheSameSiloTwice_IsRefusedTheSecondTimeWithoutMovingTheVersion()
    {
        var table = await OpenAsync("c1");
        await InsertAsync(table, Silo(11111));

        Assert.False(await table.InsertRowAsync(Silo(11111), NextOf(await table.ReadAllAsync())));

        Assert.Equal(1, (await table.ReadAllAsync()).Version.Version);
        Assert.True(await table.InsertRowAsync(Silo(11111, generation: 2), NextOf(await table.ReadAllAsync())), "a new generation on the same endpoint is another silo");
    }

    [Fact]
    public async Task InsertRow_ManyJoinersFromTheSameVersion_ExactlyOneWins()
    {
        var table = await OpenAsync("c1");
        var version = NextOf(await table.ReadAllAsync());

        var results = await Task.WhenAll(Enumerable.Range(0, 10).Select(i => Task.Run(() => table.InsertRowAsync(Silo(20000 + i), version))));

        Assert.Equal(1, results.Count(r => r));
        var data = await table.ReadAllAsync();
        Assert.Equal(1, data.Version.Version);
        Assert.Single(data.Members);
    }

    [Fact]
    public async Task UpdateRow_WithTheCurrentETag_ChangesStatusSuspicionsAndHeartbeat()
    {
        var table = await OpenAsync("c1");
        var entry = await InsertAsync(table, Silo(11111));
        var voter = SiloAddress.New(IPAddress.Parse("10.1.2.3"), 30000, 7);
        var data = await table.ReadAllAsync();
        var (current, etag) = Assert.Single(data.Members);
        current.Status = SiloStatus.Dead;
        current.IAmAliveTime = Now.AddSeconds(30);
        current.SuspectTimes = [Tuple.Create(voter, Now.AddSeconds(20)), Tuple.Create(entry.SiloAddress, Now.AddSeconds(25))];

        Assert.True(await table.UpdateRowAsync(current, etag, NextOf(data)));

        var after = await table.ReadRowAsync(entry.SiloAddress);
        Assert.Equal(2, after.Version.Version);
        var (read, _) = Assert.Single(after.Members);
        Assert.Equal(SiloStatus.Dead, read.Status);
        Assert.Equal(Now.AddSeconds(30), read.IAmAliveTime);
        Assert.Equal([(voter, Now.AddSeconds(20)), (entry.SiloAddress, Now.AddSeconds(25))], read.SuspectTimes!.Select(s => (s.Item1, s.Item2)));
        Assert.Equal(Now, read.StartTime);
        Assert.Equal("silo-11111", read.SiloName);
    }

    [Fact]
    public async Task UpdateRow_TwoWritersFromTheSameRead_OneWinsAndTheOtherMustReread()
    {
        var table = await OpenAsync("c1");
        await InsertAsync(table, Silo(11111));
        await InsertAsync(table, Silo(22222));
        var read = await table.ReadAllAsync();
        var writers = read.Members.Select(m =>
        {
            var (entry, etag) = m;
            entry.Status = SiloStatus.Active;
            return Task.Run(() => table.UpdateRowAsync(entry, etag, NextOf(read)));
        });

        var results = await Task.WhenAll(writers);

        Assert.Equal(1, results.Count(r => r));
        var after = await table.ReadAllAsync();
        Assert.Equal(read.Version.Version + 1, after.Version.Version);
        Assert.Single(after.Members, m => m.Item1.Status == SiloStatus.Active);
        // The loser re-reads and wins at the new version.
        var loser = after.Members.Single(m => m.Item1.Status != SiloStatus.Active);
        loser.Item1.Status = SiloStatus.Active;
        Assert.True(await table.UpdateRowAsync(loser.Item1, loser.Item2, NextOf(after)));
    }

    [Fact]
    public async Task UpdateRow_ManyWritersFromTheSameRead_ExactlyOneWins()
    {
        var table = await OpenAsync("c1");
        await InsertAsync(table, Silo(11111));
        var read = await table.ReadAllAsync();
        var (entry, etag) = Assert.Single(read.Members);

        var results = await Task.WhenAll(Enumerable.Range(0, 10).Select(i => Task.Run(() =>
        {
            var copy = Silo(11111);
            copy.Status = SiloStatus.Active;
            copy.IAmAliveTime = Now.AddSeconds(i);
            return table.UpdateRowAsync(copy, etag, NextOf(read));
        })));

        Assert.Equal(1, results.Count(r => r));
        Assert.Equal(read.Version.Version + 1, (await table.ReadAllAsync()).Version.Version);
    }

    [Fact]
    public async Task UpdateRow_UnknownSiloOrStaleVersion_IsRefused()
    {
        var table = await OpenAsync("c1");
        await InsertAsync(table, Silo(11111));
        var read = await table.ReadAllAsync();
        var (entry, etag) = Assert.Single(read.Members);

        Assert.False(await table.UpdateRowAsync(Silo(33333), etag, NextOf(read)));
        Assert.False(await table.UpdateRowAsync(entry, "0", new TableVersion(1, "0")));
        Assert.Equal(read.Version.Version, (await table.ReadAllAsync()).Version.Version);
    }

    [Fact]
    public async Task UpdateIAmAlive_MovesTheHeartbeatButNotTheVersion()
    {
        var table = await OpenAsync("c1");
        var entry = await InsertAsync(table, Silo(11111));
        entry.IAmAliveTime = Now.AddMinutes(3);

        await table.UpdateIAmAliveAsync(entry);

        var data = await table.ReadAllAsync();
        Assert.Equal(1, data.Version.Version);
        Assert.Equal(Now.AddMinutes(3), Assert.Single(data.Members).Item1.IAmAliveTime);
    }

    [Fact]
    public async Task ReadRow_ForAnUnknownSilo_ReturnsTheVersionAndNoEntry()
    {
        var table = await OpenAsync("c1");
        await InsertAsync(table, Silo(11111));

        var data = await table.ReadRowAsync(SiloAddress.New(IPAddress.Loopback, 11111, 99));

        Assert.Equal(1, data.Version.Version);
        Assert.Empty(data.Members);
    }

    [Fact]
    public async Task CleanupDefunctSiloEntries_RemovesOnlyDeadSilosQuietBeforeTheCutoff()
    {
        var table = await OpenAsync("c1");
        var longAgo = Now.AddHours(-4);
        await InsertAsync(table, Silo(11111, status: SiloStatus.Dead, aliveAt: Now.AddHours(-3), startedAt: longAgo));
        await InsertAsync(table, Silo(22222, status: SiloStatus.Dead, aliveAt: Now.AddMinutes(-1), startedAt: longAgo));
        await InsertAsync(table, Silo(33333, status: SiloStatus.Active, aliveAt: Now.AddHours(-3), startedAt: longAgo));
        var version = (await table.ReadAllAsync()).Version.Version;

        await table.CleanupDefunctSiloEntriesAsync(new DateTimeOffset(Now.AddHours(-1)));

        var data = await table.ReadAllAsync();
        Assert.Equal([22222, 33333], data.Members.Select(m => m.Item1.SiloAddress.Endpoint.Port).Order());
        Assert.Equal(version, data.Version.Version);
    }

    [Fact]
    public async Task DeleteMembershipTableEntries_RemovesOnlyThatCluster()
    {
        var mine = await OpenAsync("mine");
        var theirs = await OpenAsync("theirs");
        await InsertAsync(mine, Silo(11111));
        await InsertAsync(theirs, Silo(11111));

        await mine.DeleteMembershipTableEntriesAsync("mine");

        Assert.Empty(await _schema.QueryAsync("SELECT 1 FROM orch_cluster_silo WHERE deployment_id = 'mine'"));
        Assert.Empty(await _schema.QueryAsync("SELECT 1 FROM orch_cluster_version WHERE deployment_id = 'mine'"));
        Assert.Single((await theirs.ReadAllAsync()).Members);
        await OpenAsync("mine");
        Assert.Equal(0, (await mine.ReadAllAsync()).Version.Version);
    }

    [Fact]
    public async Task Gateways_AreTheActiveSilosOfTheCluster()
    {
        var table = await OpenAsync("c1");
        var other = await OpenAsync("c2");
        await InsertAsync(table, Silo(11111, status: SiloStatus.Active));
        await InsertAsync(table, Silo(22222, status: SiloStatus.Joining));
        await InsertAsync(table, Silo(33333, generation: 5, status: SiloStatus.Active));
        await InsertAsync(table, Silo(44444, status: SiloStatus.Dead));
        var noGateway = Silo(55555, status: SiloStatus.Active);
        noGateway.ProxyPort = 0;
        await InsertAsync(table, noGateway);
        await InsertAsync(other, Silo(16666, status: SiloStatus.Active));
        var gateways = new AdoNetGatewayListProvider(
            NullLogger<AdoNetGatewayListProvider>.Instance,
            _services,
            Options.Create(new AdoNetClusteringClientOptions { Invariant = OrchestratorClusteringExtensions.PostgresInvariant, ConnectionString = _schema.ConnectionString }),
            Options.Create(new GatewayOptions()),
            Options.Create(new ClusterOptions { ClusterId = "c1", ServiceId = "svc" }));
        await gateways.InitializeGatewayListProvider();

        var uris = await gateways.GetGateways();

        Assert.Equal([(12111, "1"), (34333, "5")], uris.Select(u => (u.Port, u.Segments[^1])).Order());
        Assert.All(uris, u => Assert.Equal("127.0.0.1", u.Host));
    }
}
