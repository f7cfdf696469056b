using System.Net.Http.Json;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using Orchestrator.Engine.Tests.Infrastructure;
using Orchestrator.GrainInterfaces;
using Orchestrator.Runtime.Tests.Infrastructure;
using Xunit.Abstractions;

namespace Orchestrator.Engine.Tests.Faults;

/// <summary>
/// Issue #10 fault (d): a duplicate activation. Two silo processes on PostgreSQL; the one holding a schedule (a cron
/// every 5 s, on real time) is frozen (SIGSTOP) until the other declares it dead and activates the schedule itself,
/// deciding the due times of the freeze; then it is resumed (SIGCONT). Its activation still holds the schedule and its
/// overdue wake-up fires: that state write is refused (InconsistentStateException, the version moved on) and what it
/// decided never appears — each due time has one run, each run one instance, started once.
/// </summary>
public sealed class DuplicateActivationTests(ITestOutputHelper output) : IAsyncLifetime
{
    private const int Sigstop = 19;
    private const int Sigcont = 18;
    private const string Token = "faults-dup-token";
    private const string Refused = "state write refused (another activation wrote)";
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(90);

    private readonly Runtime.Persistence.OrchestratorDatabaseOptions _store = EngineStores.Postgres("dupact");
    private readonly List<(SiloProcess Process, int SiloPort)> _silos = [];

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        foreach (var (silo, port) in _silos)
        {
            if (!silo.HasExited)
            {
                _ = Kill(silo.Pid, Sigcont); // never leave a frozen process behind
            }
            output.WriteLine($"--- silo on {port} (exited: {silo.HasExited}) ---");
            output.WriteLine(silo.Log.Length > 30_000 ? silo.Log[^30_000..] : silo.Log);
            await silo.DisposeAsync();
        }
        await EngineStores.DropAsync(_store);
    }

    [Fact]
    public async Task FreezeTheSiloHoldingASchedule_PastItsMembershipTimeout_ItsStaleWriteIsRefusedAndNeverSeen()
    {
        var a = Start("dup-a");
        var b = Start("dup-b");
        await Task.WhenAll(a.Process.WaitReadyAsync(), b.Process.WaitReadyAsync());
        await PutAsync(a.Process, "/api/v1/plans/gate", new StringContent(ScheduleGatePlan, Encoding.UTF8, "application/yaml"));
        await PutAsync(a.Process, "/api/v1/plans/gate/schedules/s", JsonContent.Create(new { cron = "*/5 * * * * *", overlap = "allow" }));
        await Eventually.Until(() => GetAsync(a.Process, "/api/v1/plans/gate/schedules/s"), s => s?["runs"]?.AsArray().Count >= 2, Wait, "two runs of the schedule");

        // Which silo holds the schedule: that one is frozen, the other takes over.
        var grainKey = GrainKeys.Schedule("gate", "s");
        int holderPort;
        using (var client = await FaultChecks.ConnectAsync(_store.ConnectionString))
        {
            var grains = client.Services.GetRequiredService<IGrainFactory>();
            var address = await grains.GetGrain<IManagementGrain>(0).GetActivationAddress(grains.GetGrain<IScheduleGrain>(grainKey));
            Assert.NotNull(address);
            holderPort = address.Endpoint.Port;
            await client.StopAsync();
        }
        var (holder, other) = holderPort == a.SiloPort ? (a, b) : (b, a);
        var frozenAt = await VersionAsync(grainKey);

        Assert.Equal(0, Kill(holder.Process.Pid, Sigstop));
        await Eventually.Until(() => SiloStatusAsync(holder.SiloPort), s => s == 6, Wait, $"the frozen silo (port {holder.SiloPort}) declared dead");
        // The other silo activates the schedule (this read reaches it) and decides the due times of the freeze.
        var taken = await Eventually.Until(async () => (Version: await VersionAsync(grainKey), View: await GetAsync(other.Process, "/api/v1/plans/gate/schedules/s")),
            t => t.Version > frozenAt && t.View is not null, Wait, $"the schedule written by the other silo (past version {frozenAt})");
        output.WriteLine($"frozen at version {frozenAt}, taken over at {taken.Version}");

        Assert.Equal(0, Kill(holder.Process.Pid, Sigcont));
        await Eventually.Until(() => Task.FromResult(holder.Process.Log.Contains(Refused, StringComparison.Ordinal) || holder.Process.HasExited), x => x, Wait,
            "the resumed silo's stale write refused (or the silo gone)");
        Assert.True(holder.Process.Log.Contains(Refused, StringComparison.Ordinal),
            $"the resumed silo ended without its stale activation trying to write (exited: {holder.Process.HasExited})");
        Assert.Contains("InconsistentStateException", holder.Process.Log, StringComparison.Ordinal);

        // Two more due times decided by the surviving silo after the refusal, then the invariants.
        var after = taken.View!["runs"]!.AsArray().Count;
        var view = await Eventually.Until(() => GetAsync(other.Process, "/api/v1/plans/gate/schedules/s"), s => s?["runs"]?.AsArray().Count >= after + 2, Wait,
            "two more runs after the resume");
        var runs = view!["runs"]!.AsArray().Select(r => (Due: r!["dueTime"]!.GetValue<DateTimeOffset>(), Id: r["instanceId"]!.GetValue<string>())).ToList();
        var skips = view["skippedFires"]!.AsArray().Select(s => s!["dueTime"]!.GetValue<DateTimeOffset>()).ToList();
        var decided = runs.Select(r => r.Due).Concat(skips).Order().ToList();
        Assert.Equal(decided.Distinct(), decided); // no due time decided twice
        var first = decided[0];
        Assert.Equal(Enumerable.Range(0, decided.Count).Select(i => first.AddSeconds(5 * i)), decided); // none left out
        Assert.Equal(runs.Count, runs.Select(r => r.Id).Distinct(StringComparer.Ordinal).Count());
        foreach (var (due, id) in runs)
        {
            var instance = await Eventually.Until(() => GetAsync(other.Process, $"/api/v1/task-instances/{id}"), i => i is not null, Wait, $"the run of {due:O}");
            Assert.Single(instance!["actions"]!.AsArray(), x => x!["action"]!.GetValue<string>() == "start");
        }
    }

    private const string ScheduleGatePlan = """
        name: gate
        steps:
          - name: gate
            approval:
              required: 1
        """;

    private (SiloProcess Process, int SiloPort) Start(string name)
    {
        var siloPort = EngineHarness.FreePort();
        var data = SiloProcess.NewDataDirectory(name);
        // The silo's content root is its data directory: keep its output to warnings (the refusal is one).
        File.WriteAllText(Path.Combine(data, "appsettings.json"), """{ "Logging": { "LogLevel": { "Default": "Warning" } } }""");
        var process = SiloProcess.Start(data, "--store", "postgres", "--connection-string", _store.ConnectionString, "--agent-token", Token, "--local-agent", "false",
            "--silo-name", name, "--silo-port", $"{siloPort}", "--gateway-port", $"{EngineHarness.FreePort()}");
        _silos.Add((process, siloPort));
        return (process, siloPort);
    }

    private async Task<long> VersionAsync(string grainKey)
    {
        await using var source = NpgsqlDataSource.Create(_store.ConnectionString);
        await using var command = source.CreateCommand("SELECT max(version) FROM orch_grain WHERE grain_type = 'schedule' AND grain_key = $1");
        command.Parameters.AddWithValue(grainKey);
        return await command.ExecuteScalarAsync() is long version ? version : 0;
    }

    /// <summary>The membership status of the newest incarnation on <paramref name="siloPort"/> (6: dead).</summary>
    private async Task<int> SiloStatusAsync(int siloPort)
    {
        await using var source = NpgsqlDataSource.Create(_store.ConnectionString);
        await using var command = source.CreateCommand("SELECT status FROM orch_cluster_silo WHERE port = $1 ORDER BY generation DESC LIMIT 1");
        command.Parameters.AddWithValue(siloPort);
        return await command.ExecuteScalarAsync() is int status ? status : 0;
    }

    private static async Task PutAsync(SiloProcess silo, string path, HttpContent content)
    {
        using (content)
        using (var response = await silo.Http.PutAsync(path, content))
        {
            Assert.True(response.IsSuccessStatusCode, $"PUT {path}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        }
    }

    /// <summary>The resource, or null while it cannot be read (absent, or the call lost with the frozen silo).</summary>
    private static async Task<JsonNode?> GetAsync(SiloProcess silo, string path)
    {
        try
        {
            using var response = await silo.Http.GetAsync(path);
            return response.IsSuccessStatusCode ? JsonNode.Parse(await response.Content.ReadAsStringAsync()) : null;
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
        {
            return null;
        }
    }

    [DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static extern int Kill(int pid, int signal);
}
