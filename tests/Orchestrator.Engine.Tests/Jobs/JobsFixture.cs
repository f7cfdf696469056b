using System.Net.Http.Headers;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Orchestrator.Api.Hosting;
using Orchestrator.Engine.Tests.Infrastructure;
using Orchestrator.GrainInterfaces;
using Orchestrator.Runtime.Tests.Infrastructure;

namespace Orchestrator.Engine.Tests.Jobs;

/// <summary>
/// A cluster (PostgreSQL, one silo, a clock the tests move) with two real agents (job-1, job-2) on the harness's API,
/// and a second API on the same cluster with a jobs secret set: <see cref="Jobs"/> sends the secret, like Harbor's core.
/// </summary>
public sealed class JobsFixture : IAsyncLifetime
{
    public const string Secret = "harbor-core-secret";

    private WebApplication? _securedApi;

    public EngineHarness Harness { get; private set; } = null!;

    public ManualTimeProvider Clock { get; } = new(TimeProvider.System.GetUtcNow());

    /// <summary>The secured API with <c>Authorization: Harbor-Secret</c> set.</summary>
    public HttpClient Jobs { get; private set; } = null!;

    /// <summary>The secured API without credentials.</summary>
    public HttpClient Anonymous { get; private set; } = null!;

    public string Scratch { get; } = Path.Combine(Path.GetTempPath(), "orch-jobs", Guid.NewGuid().ToString("N")[..8]);

    public async Task InitializeAsync()
    {
        Directory.CreateDirectory(Scratch);
        Harness = await EngineHarness.StartAsync(EngineStores.Postgres("jobs"), silos: 1, Clock);
        Harness.StartAgent("job-1");
        Harness.StartAgent("job-2");

        var port = EngineHarness.FreePort();
        var server = $"http://127.0.0.1:{port}";
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls(server);
        builder.Logging.ClearProviders();
        Harness.AddClusterServices(builder.Services);
        builder.Services.AddOrchestratorApi(new ApiOptions { AgentToken = Harness.Token, JobsSecret = Secret, CommandWait = TimeSpan.FromSeconds(20) });
        _securedApi = builder.Build();
        _securedApi.MapOrchestratorApi();
        await _securedApi.StartAsync();
        Jobs = new HttpClient { BaseAddress = new Uri(server), Timeout = TimeSpan.FromSeconds(60) };
        Jobs.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Harbor-Secret", Secret);
        Anonymous = new HttpClient { BaseAddress = new Uri(server), Timeout = TimeSpan.FromSeconds(60) };

        await Harness.WaitForHostsAsync("job-1", "job-2");
    }

    /// <summary>
    /// Moves the clock to <paramref name="to"/> in one step, then waits until both agents' heartbeats reached their host
    /// grains after it. A jump fires at most one liveness check; a host goes offline only after two checks without a
    /// heartbeat between them, which back-to-back jumps would otherwise make.
    /// </summary>
    public async Task AdvanceToAsync(DateTimeOffset to)
    {
        Clock.SetUtcNow(to);
        await Eventually.Until(
            async () => new[]
            {
                (await Harness.Client.GetGrain<IHostGrain>("job-1").GetAsync())?.LastSeen,
                (await Harness.Client.GetGrain<IHostGrain>("job-2").GetAsync())?.LastSeen,
            },
            seen => seen.All(at => at >= to),
            TimeSpan.FromSeconds(60),
            "heartbeats after the clock moved");
    }

    public Task AdvanceAsync(TimeSpan by) => AdvanceToAsync(Clock.GetUtcNow() + by);

    public async Task DisposeAsync()
    {
        Jobs.Dispose();
        Anonymous.Dispose();
        if (_securedApi is not null)
        {
            await _securedApi.StopAsync();
            await _securedApi.DisposeAsync();
        }
        await Harness.DisposeAsync();
        try
        {
            Directory.Delete(Scratch, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}

[CollectionDefinition(Name)]
public sealed class JobsCollection : ICollectionFixture<JobsFixture>
{
    public const string Name = "jobs";
}
