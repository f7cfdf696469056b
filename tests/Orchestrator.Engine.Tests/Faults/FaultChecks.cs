using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Npgsql;
using Orleans.Configuration;
using Orleans.Serialization;
using Orchestrator.GrainInterfaces;
using Orchestrator.Engine.Tests.Infrastructure;
using Orchestrator.Runtime.Clustering;

namespace Orchestrator.Engine.Tests.Faults;

/// <summary>
/// What the fault tests read from outside the silos: the committed index rows in PostgreSQL (readable while every silo
/// is down) and, once a cluster is up again, the grains through an Orleans client that finds the gateways in the
/// cluster's membership table.
/// </summary>
internal static class FaultChecks
{
    /// <summary>Committed index rows of <paramref name="kind"/> in <paramref name="partition"/> (null: every partition), counted by status.</summary>
    public static async Task<Dictionary<int, long>> CountByStatusAsync(string connectionString, string kind, string? partition)
    {
        await using var source = NpgsqlDataSource.Create(connectionString);
        var counts = new Dictionary<int, long>();
        try
        {
            await using var command = source.CreateCommand("SELECT status, count(*) FROM orch_index WHERE kind = $1 AND ($2::text IS NULL OR part = $2) GROUP BY status");
            command.Parameters.AddWithValue(kind);
            command.Parameters.AddWithValue((object?)partition ?? DBNull.Value);
            await using var reader = await command.ExecuteReaderAsync();
            while (await reader.ReadAsync())
            {
                counts[reader.GetInt32(0)] = reader.GetInt64(1);
            }
        }
        catch (PostgresException ex) when (ex.SqlState == PostgresErrorCodes.UndefinedTable)
        {
            // The silo has not migrated the schema yet.
        }
        return counts;
    }

    /// <summary>Committed index rows of <paramref name="kind"/>, in every partition.</summary>
    public static async Task<long> CountKindAsync(string connectionString, string kind) =>
        (await CountByStatusAsync(connectionString, kind, null)).Values.Sum();

    public static async Task<long> OnlineHostsAsync(string connectionString) =>
        (await CountByStatusAsync(connectionString, IndexKinds.Host, "")).GetValueOrDefault((int)HostStatus.Online);

    /// <summary>
    /// The invariants of a fan-out after a fault: every target ended succeeded exactly once after one attempt (one
    /// assignment id per host, which an agent runs once), the step's counters match the targets, and no assignment
    /// row is left open.
    /// </summary>
    public static async Task AssertFanOutEndedOnceAsync(EngineHarness h, string stepKey, IReadOnlyList<string> hosts)
    {
        var counts = await h.Client.Indexes.CountByStatusAsync(IndexKinds.Target, stepKey);
        Assert.Equal([((int)TargetStatus.Succeeded, (long)hosts.Count)], counts.Select(c => (c.Key, c.Value)));
        var view = await h.Client.GetGrain<IStepGrain>(stepKey).GetAsync();
        Assert.Equal((ExecutionStatus.Succeeded, hosts.Count, hosts.Count, hosts.Count, 0, 0),
            (view!.Status, view.TotalTargets, view.Dispatched, view.Succeeded, view.Failed, view.NotStarted)); // each report counted once
        await AssertTargetsEndedOnceAsync(h.Client.Grains, stepKey, hosts);
        Assert.Equal(0L, await CountKindAsync(h.Store.ConnectionString, IndexKinds.Assignment)); // no assignment left open
    }

    /// <summary>Each host's target succeeded after exactly one attempt (run 1, exit code 0): dispatched once, ran once, ended once.</summary>
    public static async Task AssertTargetsEndedOnceAsync(IGrainFactory grains, string stepKey, IReadOnlyList<string> hosts)
    {
        var views = await Task.WhenAll(hosts.Select(host => grains.GetGrain<IHostTargetGrain>(GrainKeys.Target(stepKey, host)).GetAsync().AsTask()));
        Assert.All(hosts.Zip(views), p => Assert.True(p.Second is { Status: TargetStatus.Succeeded, Attempts: [{ Run: 1, Status: TargetStatus.Succeeded, ExitCode: 0 }] },
            $"{p.First}: {p.Second?.Status}, attempts {string.Join(", ", p.Second?.Attempts ?? [])}"));
    }

    /// <summary>Messages parked in <c>orch_dead_letters</c>.</summary>
    public static async Task<long> DeadLettersAsync(string connectionString)
    {
        await using var source = NpgsqlDataSource.Create(connectionString);
        await using var command = source.CreateCommand("SELECT count(*) FROM orch_dead_letters");
        return (long)(await command.ExecuteScalarAsync())!;
    }

    /// <summary>The membership status of the newest incarnation of the silo on <paramref name="siloPort"/> (6: dead; 0: none).</summary>
    public static async Task<int> SiloStatusAsync(string connectionString, int siloPort)
    {
        await using var source = NpgsqlDataSource.Create(connectionString);
        await using var command = source.CreateCommand("SELECT status FROM orch_cluster_silo WHERE port = $1 ORDER BY generation DESC LIMIT 1");
        command.Parameters.AddWithValue(siloPort);
        return await command.ExecuteScalarAsync() is int status ? status : 0;
    }

    /// <summary>An Orleans client of the PostgreSQL cluster (default cluster and service id), started.</summary>
    public static async Task<IHost> ConnectAsync(string connectionString)
    {
        var host = new HostBuilder()
            .UseOrleansClient(client =>
            {
                client.UseOrchestratorClustering(connectionString);
                client.Configure<ClusterOptions>(o => (o.ClusterId, o.ServiceId) = ("orchestrator", "orchestrator"));
                client.Services.AddSerializer(s => s.AddOrchestratorSerialization());
            })
            .Build();
        await host.StartAsync();
        return host;
    }
}
