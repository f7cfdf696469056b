using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Orchestrator.Client;
using Orchestrator.Engine.Tests.EndToEnd;
using Orchestrator.Engine.Tests.Infrastructure;

namespace Orchestrator.Engine.Tests.Client;

/// <summary>
/// Retries that reuse the idempotency key, against the real API: a command whose reply is lost after the server applied
/// it is sent again with the same key and applies once — through the HttpClient factory's registration and through the
/// plain constructor.
/// </summary>
[Collection(FleetCollection.Name)]
public sealed class ClientRetryTests(FleetFixture fleet)
{
    private const string Plan = """
        name: client-retry
        steps:
          - name: s
            script: "echo once"
            targets:
              hosts: [web-1]
        """;

    private EngineHarness H => fleet.Harness;

    [Fact]
    public async Task RunPlanAsync_FirstReplyLost_RetriesWithTheSameKeyAndStartsOneInstance()
    {
        var lost = new LostReplies();
        var services = new ServiceCollection();
        services.AddOrchestratorClient(o =>
            {
                o.BaseAddress = new Uri(H.Server);
                o.Token = H.AdminToken;
                o.RetryDelay = TimeSpan.FromMilliseconds(20);
            })
            .AddHttpMessageHandler(() => new DropFirstReply(lost, r => r.Method == HttpMethod.Post && r.RequestUri!.AbsolutePath.EndsWith("/run", StringComparison.Ordinal)));
        await using var provider = services.BuildServiceProvider();
        var client = provider.GetRequiredService<OrchestratorClient>();
        var planId = (await client.PutPlanAsync("retry" + Guid.NewGuid().ToString("N")[..10], Plan)).Id;

        var run = await client.RunPlanAsync(planId);

        Assert.Equal(1, lost.Dropped);
        var keys = lost.Keys.ToArray();
        Assert.Equal(2, keys.Length);
        Assert.False(string.IsNullOrEmpty(keys[0]));
        Assert.Equal(keys[0], keys[1]);
        Assert.Equal([run.Id], (await client.GetPlanAsync(planId)).RecentInstances);
        var final = await LastAsync(client.WatchAsync(run.Id));
        Assert.Equal(ExecutionStatus.Succeeded, final.Status);
        Assert.Single(final.Instance.Actions, a => a.Action == "start");
    }

    [Fact]
    public async Task PutPlanAsync_FirstReplyLostWithPlainConstructor_SavesOneVersion()
    {
        var lost = new LostReplies();
        using var client = new OrchestratorClient(
            new OrchestratorClientOptions { BaseAddress = new Uri(H.Server), Token = H.AdminToken, RetryDelay = TimeSpan.FromMilliseconds(20) },
            new DropFirstReply(lost, r => r.Method == HttpMethod.Put) { InnerHandler = new SocketsHttpHandler() });
        var id = "retry" + Guid.NewGuid().ToString("N")[..10];

        var saved = await client.PutPlanAsync(id, Plan);

        Assert.Equal(2, lost.Keys.Count);
        Assert.Single(lost.Keys.Distinct());
        Assert.Equal(new PlanSaved(id, 1), saved);
        Assert.Equal(1, (await client.GetPlanAsync(id)).LatestVersion);
        // A second logical call is a new key, so a new version.
        Assert.Equal(2, (await client.PutPlanAsync(id, Plan)).Version);
        Assert.Equal(3, lost.Keys.Count);
        Assert.Equal(2, lost.Keys.Distinct().Count());
    }

    [Fact]
    public async Task RunPlanAsync_First503AfterTheServerApplied_RetriesWithTheSameKeyAndStartsOneInstance()
    {
        var lost = new LostReplies();
        using var client = new OrchestratorClient(
            new OrchestratorClientOptions { BaseAddress = new Uri(H.Server), Token = H.AdminToken, RetryDelay = TimeSpan.FromMilliseconds(20), PollInterval = TimeSpan.FromMilliseconds(100) },
            new DropFirstReply(lost, r => r.Method == HttpMethod.Post, HttpStatusCode.ServiceUnavailable) { InnerHandler = new SocketsHttpHandler() });
        var planId = (await client.PutPlanAsync("retry" + Guid.NewGuid().ToString("N")[..10], Plan)).Id;

        var run = await client.RunPlanAsync(planId);

        Assert.Equal(2, lost.Keys.Count);
        Assert.Single(lost.Keys.Distinct());
        Assert.Equal([run.Id], (await client.GetPlanAsync(planId)).RecentInstances);
        Assert.Equal(ExecutionStatus.Succeeded, (await LastAsync(client.WatchAsync(run.Id))).Status);
    }

    [Fact]
    public async Task RunPlanAsync_TwoCalls_AreTwoKeysAndTwoInstances()
    {
        var seen = new LostReplies();
        using var client = new OrchestratorClient(new OrchestratorClientOptions { BaseAddress = new Uri(H.Server), Token = H.AdminToken },
            new HeaderProbe(seen, "Idempotency-Key") { InnerHandler = new SocketsHttpHandler() });
        var planId = (await client.PutPlanAsync("retry" + Guid.NewGuid().ToString("N")[..10], Plan)).Id;

        var first = await client.RunPlanAsync(planId);
        var second = await client.RunPlanAsync(planId);

        Assert.NotEqual(first.Id, second.Id);
        Assert.Equal(3, seen.Keys.Distinct().Count());
    }

    [Fact]
    public async Task Calls_WithToken_SendItAsBearerOnEveryCall()
    {
        var seen = new LostReplies();
        using var client = new OrchestratorClient(
            new OrchestratorClientOptions { BaseAddress = new Uri(H.Server), Token = H.AdminToken },
            new HeaderProbe(seen, "Authorization") { InnerHandler = new SocketsHttpHandler() });

        await client.ListHostsAsync("role=web");
        await client.ListPlansAsync(new PageRequest(Limit: 1));

        Assert.Equal(["Bearer " + H.AdminToken, "Bearer " + H.AdminToken], seen.Keys);
    }

    [Fact]
    public async Task ListHostsAsync_Selector_AnswersTheFleetsWebHosts()
    {
        using var client = new OrchestratorClient(new Uri(H.Server), H.AdminToken);

        var hosts = await client.ListHostsAsync("role=web");

        Assert.Equal(["web-1", "web-2"], hosts.Items.Select(h => h.Host).Order());
        Assert.All(hosts.Items, h => Assert.Equal(HostStatus.Online, h.Status));
        var db = await client.GetHostAsync("db-1");
        Assert.Equal("db", db.Labels["role"]);
    }

    [Fact]
    public async Task UploadFileAsync_Bytes_DownloadsTheSameBytes()
    {
        using var client = new OrchestratorClient(new Uri(H.Server), H.AdminToken);
        var bytes = System.Text.Encoding.UTF8.GetBytes("client file " + Guid.NewGuid());

        var uploaded = await client.UploadFileAsync(bytes);
        await using var stream = await client.DownloadFileAsync(uploaded.Sha256);
        using var copy = new MemoryStream();
        await stream.CopyToAsync(copy);

        Assert.Equal(bytes.Length, uploaded.Size);
        Assert.Equal(Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(bytes)), uploaded.Sha256);
        Assert.Equal(bytes, copy.ToArray());
    }

    internal static async Task<T> LastAsync<T>(IAsyncEnumerable<T> items)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(90));
        T? last = default;
        await foreach (var item in items.WithCancellation(timeout.Token))
        {
            last = item;
        }
        return last!;
    }
}
