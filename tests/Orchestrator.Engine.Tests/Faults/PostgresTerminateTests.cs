using Npgsql;
using Orchestrator.Engine.Tests.Infrastructure;
using Orchestrator.GrainInterfaces;
using Orchestrator.Runtime.Persistence;
using Orchestrator.Runtime.Tests.Infrastructure;
using Xunit.Abstractions;

namespace Orchestrator.Engine.Tests.Faults;

/// <summary>
/// Issue #10 fault (c): PostgreSQL connections of the cluster (three silos and the API, told apart from other tests'
/// by their application name) are terminated with <c>pg_terminate_backend</c> in a loop while a step fans out over 500
/// simulated hosts; those busy in a statement or transaction (commits in flight) every 50 ms, all of them every
/// second. Nothing is lost or done twice.
/// </summary>
public sealed class PostgresTerminateTests(ITestOutputHelper output)
{
    private const int Hosts = 500;
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(150);

    /// <summary>
    /// A burst shorter than the outbox's parking horizon (5 attempts, 1 s doubling ±20%: at least ~12 s): every
    /// commit it breaks is retried until it goes through.
    /// </summary>
    [Fact]
    public Task TerminateConnections_ForTenSecondsMidFanOut_EveryTargetEndsExactlyOnce() =>
        TerminateDuringFanOutAsync(TimeSpan.FromSeconds(10), endedFraction: 1.0);

    /// <summary>The literal fault (c): connections terminated through the whole fan-out (until 90% ended, at most 75 s).</summary>
    /// <remarks>
    /// Before transient failures stopped counting toward parking (<c>DurableOptions.TransientFailureTolerance</c>),
    /// this failed the run: targets' reports to the step were parked after 5 attempts and the step cancelled the rest.
    /// </remarks>
    [Fact]
    public Task TerminateConnections_ThroughTheWholeFanOut_EveryTargetEndsExactlyOnce() =>
        TerminateDuringFanOutAsync(TimeSpan.FromSeconds(75), endedFraction: 0.9);

    private async Task TerminateDuringFanOutAsync(TimeSpan longest, double endedFraction)
    {
        var application = "orch-faults-" + Guid.NewGuid().ToString("N")[..8];
        var fresh = EngineStores.Postgres("pgterm");
        var store = new OrchestratorDatabaseOptions
        {
            Store = fresh.Store,
            ConnectionString = new NpgsqlConnectionStringBuilder(fresh.ConnectionString) { ApplicationName = application }.ConnectionString,
        };
        await using var h = await EngineHarness.StartAsync(store, silos: 3);
        var fleet = h.StartAgent("sim", new Dictionary<string, string> { ["fleet"] = "pt" }, "", "--simulate", $"{Hosts}", "--host-prefix", "pt-");
        var terminated = (Busy: 0L, Idle: 0L);
        try
        {
            await Eventually.Until(async () => (await h.Client.Indexes.CountByStatusAsync(IndexKinds.Host, "")).GetValueOrDefault((int)HostStatus.Online),
                n => n == Hosts, Wait, $"{Hosts} simulated hosts online");
            var plan = await h.PutPlanAsync("""
                name: pgterm
                steps:
                  - name: noop
                    script:
                      source: "true"
                    targets:
                      selector: fleet=pt
                    execution:
                      parallelism: 100
                """);
            var id = await h.RunAsync(plan);
            var stepKey = GrainKeys.Step(id, 0);
            // Mid fan-out: the burst starts once the step has laid out its targets. Started at the run request, it spent
            // itself on the few statements of the run's start (grouped reads and commits keep few connections busy) and
            // could end before any target existed.
            await Eventually.Until(() => FaultChecks.CountByStatusAsync(fresh.ConnectionString, IndexKinds.Target, stepKey),
                c => c.Values.Sum() > 0, Wait, "the step's targets laid out");

            // Connections die during the fan-out (until the fraction of targets ended, or for the longest time), then the
            // cluster must finish what it had: whatever a terminated commit left undecided is found again, nothing twice.
            using var stop = new CancellationTokenSource();
            var busySoFar = new System.Runtime.CompilerServices.StrongBox<long>();
            var terminator = TerminateLoopAsync(application, busySoFar, stop.Token);
            var window = System.Diagnostics.Stopwatch.StartNew();
            Dictionary<int, long> atStop;
            try
            {
                // Past the longest time the window stays open until the fault hit enough busy connections (a slow
                // machine keeps fewer statements in flight at once), up to three times as long.
                atStop = await Eventually.Until(() => FaultChecks.CountByStatusAsync(fresh.ConnectionString, IndexKinds.Target, stepKey),
                    c => c.GetValueOrDefault((int)TargetStatus.Succeeded) >= Hosts * endedFraction
                        || (window.Elapsed > longest && Interlocked.Read(ref busySoFar.Value) >= MinBusyTerminated) || window.Elapsed > longest * 3,
                    longest * 3 + Wait, "the terminations' window");
            }
            finally
            {
                stop.Cancel();
                terminated = await terminator;
            }
            output.WriteLine($"terminated {terminated.Busy} busy and {terminated.Idle} idle connection(s) in {window.Elapsed.TotalSeconds:0.0} s; targets then: " +
                string.Join(' ', atStop.OrderBy(c => c.Key).Select(c => $"{(TargetStatus)c.Key}={c.Value}")));
            var status = await Eventually.Until(() => StatusOrUnavailableAsync(h, id), s => s is "succeeded" or "failed", Wait, $"instance {id} finished");

            if (status != "succeeded")
            {
                var seen = await h.GetInstanceAsync(id);
                var failedTargets = await h.ListTargetsAsync(id, 0, "failed");
                Assert.Fail($"the run ended {status}: {seen.ToJsonString()}\nfailed targets: {failedTargets.ToJsonString()}");
            }
            Assert.True(terminated.Busy >= MinBusyTerminated, $"only {terminated.Busy} busy connection(s) were terminated during the fan-out");
            // Pooled connections terminated in the last rounds fail their next use once (a grain state read or write that
            // fails on another silo arrives as GrainStorageException, or DurableWriteException): the checks go again past those.
            await Eventually.Until(async () =>
            {
                try
                {
                    await FaultChecks.AssertFanOutEndedOnceAsync(h, stepKey, [.. Enumerable.Range(1, Hosts).Select(i => $"pt-{i:D5}")]);
                    var instance = await h.GetInstanceAsync(id);
                    Assert.Single(instance["actions"]!.AsArray(), a => a!["action"]!.GetValue<string>() == "start");
                    return "checked";
                }
                catch (Exception ex) when (ex is NpgsqlException or Orleans.Runtime.OrleansException or TimeoutException
                    or Orchestrator.Runtime.Persistence.GrainState.GrainStorageException or Orchestrator.Runtime.Durable.DurableWriteException)
                {
                    return $"a terminated connection failed the check: {ex.Message}";
                }
            }, s => s == "checked", TimeSpan.FromSeconds(30), "the invariants checked");
        }
        finally
        {
            output.WriteLine(fleet.Log);
        }
    }

    /// <summary>The instance's status, or "unavailable" while a terminated connection fails the read (the next one reconnects).</summary>
    private static async Task<string> StatusOrUnavailableAsync(EngineHarness h, string id)
    {
        try
        {
            using var response = await h.Http.GetAsync($"/api/v1/task-instances/{id}");
            return response.IsSuccessStatusCode
                ? System.Text.Json.Nodes.JsonNode.Parse(await response.Content.ReadAsStringAsync())!["status"]!.GetValue<string>()
                : $"unavailable ({(int)response.StatusCode})";
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
        {
            return $"unavailable ({ex.GetType().Name})";
        }
    }

    /// <summary>
    /// Terminates the cluster's connections until cancelled: every round those busy in a statement or a transaction,
    /// every twentieth round all of them. Rounds are paced (50 ms) so that the cluster makes progress between them.
    /// </summary>
    /// <summary>How many connections in the middle of a statement the fault must have terminated for the run to count.</summary>
    private const int MinBusyTerminated = 5;

    private static async Task<(long Busy, long Idle)> TerminateLoopAsync(string application, System.Runtime.CompilerServices.StrongBox<long> busySoFar,
        CancellationToken cancellationToken)
    {
        await using var connection = new NpgsqlConnection(PostgresServer.ConnectionString);
        await connection.OpenAsync(CancellationToken.None);
        await using var command = new NpgsqlCommand(
            "SELECT coalesce(state = 'idle', false), pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = $1 AND pid <> pg_backend_pid() AND ($2 OR state <> 'idle')",
            connection);
        command.Parameters.AddWithValue(application);
        var all = new NpgsqlParameter<bool> { TypedValue = false };
        command.Parameters.Add(all);
        var (busy, idle) = (0L, 0L);
        for (var round = 0; !cancellationToken.IsCancellationRequested; round++)
        {
            all.TypedValue = round % 20 == 19;
            await using (var reader = await command.ExecuteReaderAsync(CancellationToken.None))
            {
                while (await reader.ReadAsync(CancellationToken.None))
                {
                    if (reader.GetBoolean(1))
                    {
                        _ = reader.GetBoolean(0) ? idle++ : busy++;
                        Interlocked.Exchange(ref busySoFar.Value, busy);
                    }
                }
            }
            try
            {
                await Task.Delay(TimeSpan.FromMilliseconds(50), TimeProvider.System, cancellationToken); // the fault's pace, not a wait for a condition
            }
            catch (OperationCanceledException)
            {
                break;
            }
        }
        return (busy, idle);
    }
}
