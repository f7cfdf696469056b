using System.Globalization;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using Orchestrator.Runtime.Clustering;
using Orchestrator.Runtime.Persistence;
using Orchestrator.Runtime.Tests.Infrastructure;
using Orchestrator.Runtime.Tests.ProviderSchema;
using Orleans;
using Orleans.Configuration;
using Orleans.Hosting;
using Orleans.Messaging;
using Orleans.Runtime;
using Orleans.Runtime.Membership;
using Orleans.Runtime.MembershipService;
using Orleans.TestingHost;

namespace Orchestrator.Runtime.Tests.Clustering;

/// <summary>
/// Real silos (Orleans' TestingHost, TCP sockets on loopback) whose only membership is the ADO.NET clustering provider
/// on our PostgreSQL tables, in a schema of this test's own; the cluster client finds its gateways in the same table.
/// Failure detection is tuned down so a killed silo is voted dead within seconds.
/// </summary>
public sealed class PostgresClusteringClusterTests : IAsyncLifetime
{
    private const string ConnectionKey = "OrchTest:ClusteringConnectionString";
    private const string MaxJoinAttemptTimeKey = "OrchTest:MaxJoinAttemptTime";
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(60);
    private PostgresProviderSchema _schema = null!;
    private TestCluster? _cluster;

    public async Task InitializeAsync()
    {
        _schema = await PostgresProviderSchema.CreateAsync("clu");
        // Test-only fault injection: a silo whose connections carry an application name listed in orch_test_cut_off can no
        // longer write membership rows. Cutting a silo off before killing it makes the kill look like a crash to the table:
        // Orleans' in-process kill would otherwise still write the silo's own Dead status on its way out.
        await _schema.QueryAsync("""
            CREATE TABLE orch_test_cut_off (application_name text PRIMARY KEY);
            CREATE FUNCTION orch_test_refuse_cut_off() RETURNS trigger LANGUAGE plpgsql AS $f$
            BEGIN
                IF EXISTS (SELECT 1 FROM orch_test_cut_off WHERE application_name = current_setting('application_name')) THEN
                    RAISE EXCEPTION 'silo % is cut off from the membership table', current_setting('application_name');
                END IF;
                RETURN NEW;
            END $f$;
            CREATE TRIGGER refuse_cut_off BEFORE INSERT OR UPDATE ON orch_cluster_version FOR EACH ROW EXECUTE FUNCTION orch_test_refuse_cut_off();
            CREATE TRIGGER refuse_cut_off BEFORE INSERT OR UPDATE ON orch_cluster_silo FOR EACH ROW EXECUTE FUNCTION orch_test_refuse_cut_off();
            """);
    }

    private Task CutOffAsync(SiloHandle silo) =>
        _schema.QueryAsync("INSERT INTO orch_test_cut_off (application_name) VALUES (@name)", ("name", ApplicationName(silo.SiloAddress.Endpoint.Port)));

    private static string ApplicationName(int siloPort) => $"silo-{siloPort}";

    public async Task DisposeAsync()
    {
        if (_cluster is not null)
        {
            await _cluster.DisposeAsync();
        }
        await _schema.DisposeAsync();
    }

    private async Task<TestCluster> StartAsync(short silos, TimeSpan? maxJoinAttemptTime = null)
    {
        var builder = new TestClusterBuilder(silos);
        builder.Options.UseTestClusterMembership = false; // the table is the only membership
        builder.Options.ConnectionTransport = ConnectionTransportType.TcpSocket;
        builder.Options.ConfigureFileLogging = false;
        builder.Properties[ConnectionKey] = _schema.ConnectionString;
        builder.Properties[MaxJoinAttemptTimeKey] = (maxJoinAttemptTime ?? TimeSpan.FromSeconds(30)).ToString("c", CultureInfo.InvariantCulture);
        builder.AddSiloBuilderConfigurator<SiloOnPostgres>();
        builder.AddClientBuilderConfigurator<ClientOnPostgres>();
        _cluster = builder.Build();
        await _cluster.DeployAsync();
        return _cluster;
    }

    private Task<List<Dictionary<string, object?>>> SiloRowsAsync(TestCluster cluster) => _schema.QueryAsync(
        "SELECT port, generation, status, proxy_port, suspect_times FROM orch_cluster_silo WHERE deployment_id = @id ORDER BY port, generation",
        ("id", cluster.Options.ClusterId));

    private static int Status(SiloStatus status) => (int)status;

    private static ClusterMembershipSnapshot ViewOf(TestCluster cluster, SiloHandle silo) =>
        cluster.GetSiloServiceProvider(silo.SiloAddress).GetRequiredService<IClusterMembershipService>().CurrentSnapshot;

    [Fact]
    public async Task Silos_JoinThroughTheTable_AreActiveThereAndSeeEachOther()
    {
        var cluster = await StartAsync(silos: 2);

        var rows = await Eventually.Until(() => SiloRowsAsync(cluster), r => r.Count == 2 && r.All(x => (int)x["status"]! == Status(SiloStatus.Active)), Deadline, "two active silo rows");

        Assert.Equal(cluster.Silos.Select(s => s.SiloAddress.Endpoint.Port).Order(), rows.Select(r => (int)r["port"]!));
        Assert.Equal(cluster.Silos.Select(s => s.GatewayAddress.Endpoint.Port).Order(), rows.Select(r => (int)r["proxy_port"]!).Order());
        var version = (await _schema.QueryAsync("SELECT version FROM orch_cluster_version WHERE deployment_id = @id", ("id", cluster.Options.ClusterId))).Single()["version"];
        Assert.True((int)version! >= 4, $"each silo inserts its row and moves it to Active: version {version}");
        foreach (var silo in cluster.Silos)
        {
            var services = cluster.GetSiloServiceProvider(silo.SiloAddress);
            Assert.IsType<AdoNetClusteringTable>(services.GetRequiredService<IMembershipTable>());
            await Eventually.Until(
                () => Task.FromResult(ViewOf(cluster, silo)),
                view => cluster.Silos.All(s => view.GetSiloStatus(s.SiloAddress) == SiloStatus.Active),
                Deadline, $"{silo.Name} to see both silos active");
        }
    }

    [Fact]
    public async Task Client_FindsItsGatewaysInTheTable_AndCallsGrainsThroughThem()
    {
        var cluster = await StartAsync(silos: 2);

        var gateways = cluster.Client.ServiceProvider.GetRequiredService<IGatewayListProvider>();
        Assert.IsType<AdoNetGatewayListProvider>(gateways);
        var listed = await Eventually.Until(() => gateways.GetGateways(), g => g.Count == 2, Deadline, "both silos listed as gateways");
        Assert.Equal(cluster.Silos.Select(s => s.GatewayAddress.Endpoint.Port).Order(), listed.Select(u => u.Port).Order());
        var servedBy = await cluster.Client.GetGrain<IClusterProbeGrain>("probe").WhereAmI();
        Assert.Contains(cluster.Silos, s => s.SiloAddress.ToString() == servedBy);
    }

    [Fact]
    public async Task KilledSilo_IsDeadInTheTable_AndTheSurvivorAndTheClientCarryOn()
    {
        var cluster = await StartAsync(silos: 2);
        await Eventually.Until(() => SiloRowsAsync(cluster), r => r.Count(x => (int)x["status"]! == Status(SiloStatus.Active)) == 2, Deadline, "two active silos");
        var victim = cluster.SecondarySilos[0];
        var survivor = cluster.Silos.Single(s => s != victim);

        await cluster.KillSiloAsync(victim);

        var rows = await Eventually.Until(
            () => SiloRowsAsync(cluster),
            r => r.Any(x => (int)x["port"]! == victim.SiloAddress.Endpoint.Port && (int)x["status"]! == Status(SiloStatus.Dead)),
            Deadline, $"{victim.SiloAddress} dead in the table");
        Assert.Equal(victim.SiloAddress.Generation, (int)rows.Single(x => (int)x["port"]! == victim.SiloAddress.Endpoint.Port)["generation"]!);
        Assert.Equal(Status(SiloStatus.Active), rows.Single(x => (int)x["port"]! == survivor.SiloAddress.Endpoint.Port)["status"]);
        await Eventually.Until(() => Task.FromResult(ViewOf(cluster, survivor).GetSiloStatus(victim.SiloAddress)), s => s == SiloStatus.Dead, Deadline, "the survivor to see the victim dead");
        var gateways = cluster.Client.ServiceProvider.GetRequiredService<IGatewayListProvider>();
        await Eventually.Until(() => gateways.GetGateways(), g => g.Count == 1 && g[0].Port == survivor.GatewayAddress.Endpoint.Port, Deadline, "only the survivor listed as gateway");
        var servedBy = await CallUntilServedAsync(cluster, "after-kill", survivor);
        Assert.Equal(survivor.SiloAddress.ToString(), servedBy);
    }

    /// <summary>
    /// A crash as the table sees it: the victim is cut off from the membership table, then killed, so it cannot write its
    /// own Dead status (TestingHost's in-process kill still tries to). The survivor must notice, vote and write the victim
    /// dead through the versioned update.
    /// </summary>
    [Fact]
    public async Task CrashedSilo_IsVotedDeadByTheSurvivor()
    {
        var cluster = await StartAsync(silos: 2, maxJoinAttemptTime: TimeSpan.FromSeconds(5));
        await Eventually.Until(() => SiloRowsAsync(cluster), r => r.Count(x => (int)x["status"]! == Status(SiloStatus.Active)) == 2, Deadline, "two active silos");
        var victim = cluster.SecondarySilos[0];
        var survivor = cluster.Silos.Single(s => s != victim);

        await CutOffAsync(victim);
        // The victim answers probes until its stop reaches the network, after its Dead write has been retried for
        // MaxJoinAttemptTime; the survivor votes as soon as the probes fail.
        var killing = cluster.KillSiloAsync(victim);

        var rows = await Eventually.Until(
            () => SiloRowsAsync(cluster),
            r => r.Any(x => (int)x["port"]! == victim.SiloAddress.Endpoint.Port && (int)x["status"]! == Status(SiloStatus.Dead)),
            Deadline, $"{victim.SiloAddress} voted dead");
        var votes = (string?)rows.Single(x => (int)x["port"]! == victim.SiloAddress.Endpoint.Port)["suspect_times"] ?? "";
        Assert.True(votes.Contains(survivor.SiloAddress.ToParsableString(), StringComparison.Ordinal), $"the survivor {survivor.SiloAddress.ToParsableString()} voted: {votes}");
        Assert.False(votes.Contains(victim.SiloAddress.ToParsableString(), StringComparison.Ordinal), $"the victim was cut off, it cannot have written: {votes}");
        await Eventually.Until(() => Task.FromResult(ViewOf(cluster, survivor).GetSiloStatus(victim.SiloAddress)), s => s == SiloStatus.Dead, Deadline, "the survivor to see the victim dead");
        await killing;
        Assert.Equal(survivor.SiloAddress.ToString(), await CallUntilServedAsync(cluster, "after-crash", survivor));
    }

    private static Task<string> CallUntilServedAsync(TestCluster cluster, string key, SiloHandle by) => Eventually.Until(
        async () =>
        {
            try
            {
                return await cluster.Client.GetGrain<IClusterProbeGrain>(key).WhereAmI();
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                return e.GetType().Name; // a call still routed to the dead silo fails until the client's view catches up
            }
        },
        servedBy => servedBy == by.SiloAddress.ToString(), Deadline, $"a call to {key} served by {by.SiloAddress}");

    [Fact]
    public async Task RestartedSilo_RejoinsAsANewGeneration_AndItsOldGenerationIsDead()
    {
        var cluster = await StartAsync(silos: 2);
        await Eventually.Until(() => SiloRowsAsync(cluster), r => r.Count(x => (int)x["status"]! == Status(SiloStatus.Active)) == 2, Deadline, "two active silos");
        var old = cluster.SecondarySilos[0];

        var restarted = await cluster.RestartSiloAsync(old);

        Assert.NotNull(restarted);
        Assert.Equal(old.SiloAddress.Endpoint, restarted.SiloAddress.Endpoint);
        Assert.NotEqual(old.SiloAddress.Generation, restarted.SiloAddress.Generation);
        var rows = await Eventually.Until(
            () => SiloRowsAsync(cluster),
            r => r.Count == 3 && r.Count(x => (int)x["status"]! == Status(SiloStatus.Active)) == 2,
            Deadline, "the new generation active beside the first silo");
        var onPort = rows.Where(x => (int)x["port"]! == old.SiloAddress.Endpoint.Port).ToDictionary(x => (int)x["generation"]!, x => (int)x["status"]!);
        Assert.Equal(Status(SiloStatus.Dead), onPort[old.SiloAddress.Generation]);
        Assert.Equal(Status(SiloStatus.Active), onPort[restarted.SiloAddress.Generation]);
        foreach (var silo in cluster.Silos)
        {
            await Eventually.Until(
                () => Task.FromResult(ViewOf(cluster, silo)),
                view => view.GetSiloStatus(restarted.SiloAddress) == SiloStatus.Active && view.GetSiloStatus(old.SiloAddress) == SiloStatus.Dead,
                Deadline, $"{silo.Name} to see the restart");
        }
    }

    /// <summary>Silos: membership in our PostgreSQL tables only, failure detection fast enough for a test.</summary>
    public sealed class SiloOnPostgres : ISiloConfigurator
    {
        public void Configure(ISiloBuilder siloBuilder)
        {
            // Each silo's connections name it, so a test can cut one off (see InitializeAsync).
            var connectionString = new NpgsqlConnectionStringBuilder(siloBuilder.Configuration[ConnectionKey])
            {
                ApplicationName = ApplicationName(int.Parse(siloBuilder.Configuration["Orleans:Endpoints:SiloPort"]!, CultureInfo.InvariantCulture)),
            };
            siloBuilder.AddOrchestratorDatabase(o => (o.Store, o.ConnectionString) = (OrchestratorDatabaseOptions.Postgres, connectionString.ToString()));
            siloBuilder.UseOrchestratorClustering();
            siloBuilder.Configure<ClusterMembershipOptions>(o =>
            {
                o.ProbeTimeout = TimeSpan.FromSeconds(1);
                o.NumMissedProbesLimit = 2;
                o.TableRefreshTimeout = TimeSpan.FromSeconds(2);
                o.IAmAliveTablePublishTimeout = TimeSpan.FromSeconds(5);
                // Also bounds how long a cut-off silo retries its own Dead write before its stop reaches the network.
                o.MaxJoinAttemptTime = TimeSpan.Parse(siloBuilder.Configuration[MaxJoinAttemptTimeKey]!, CultureInfo.InvariantCulture);
                o.NumVotesForDeathDeclaration = 1; // two-silo clusters: the survivor's vote is the only one there is
            });
        }
    }

    /// <summary>The cluster client: gateways from the same table, refreshed often.</summary>
    public sealed class ClientOnPostgres : IClientBuilderConfigurator
    {
        public void Configure(IConfiguration configuration, IClientBuilder clientBuilder)
        {
            clientBuilder.UseOrchestratorClustering(configuration[ConnectionKey]!);
            clientBuilder.Configure<GatewayOptions>(o => o.GatewayListRefreshPeriod = TimeSpan.FromSeconds(1));
            // A call sent through a dead silo's gateway before the client noticed fails after this, and is retried.
            clientBuilder.Configure<ClientMessagingOptions>(o => o.ResponseTimeout = TimeSpan.FromSeconds(10));
        }
    }
}
