using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Orchestrator.Engine.Tests.Infrastructure;
using Orchestrator.Runtime.Persistence;
using Orchestrator.Runtime.Tests.Infrastructure;

namespace Orchestrator.Engine.Tests.Audit;

/// <summary>
/// A cluster on one store (one silo, a manual clock that stays put unless a test moves it) with the API (jobs secret
/// <see cref="JobsSecret"/> set) and one real agent, <c>audit-1</c>. Tests share the database, so each one acts as a
/// principal of its own (<see cref="AuditCaller"/>) and reads the log filtered by it.
/// </summary>
public abstract class AuditFixture : IAsyncLifetime
{
    public const string JobsSecret = "audit-jobs-secret";

    public const string Host = "audit-1";

    public EngineHarness Harness { get; private set; } = null!;

    /// <summary>Whole milliseconds, so that both stores give the time back exactly.</summary>
    public ManualTimeProvider Clock { get; } = new(DateTimeOffset.FromUnixTimeMilliseconds(TimeProvider.System.GetUtcNow().ToUnixTimeMilliseconds()));

    protected abstract OrchestratorDatabaseOptions NewStore();

    public async Task InitializeAsync()
    {
        Harness = await EngineHarness.StartAsync(NewStore(), silos: 1, Clock, configureApi: o => o.JobsSecret = JobsSecret);
        Harness.StartAgent(Host);
        await Harness.WaitForHostsAsync(Host);
    }

    public async Task DisposeAsync() => await Harness.DisposeAsync();
}

public sealed class PostgresAuditFixture : AuditFixture
{
    protected override OrchestratorDatabaseOptions NewStore() => EngineStores.Postgres("audit");
}

public sealed class SqliteAuditFixture : AuditFixture
{
    protected override OrchestratorDatabaseOptions NewStore() => EngineStores.Sqlite();
}

/// <summary>
/// How a test acts as a principal of its own: an API token of that name (admin everywhere), made once through
/// <c>POST /api/v1/tokens</c> by the admin's client.
/// </summary>
public static class AuditCaller
{
    private static readonly ConcurrentDictionary<(HttpClient Admin, string Principal), Lazy<Task<string>>> Tokens = new();

    /// <summary>A principal of the test's own.</summary>
    public static string NewPrincipal() => "audit-" + Guid.NewGuid().ToString("N")[..10];

    public static async Task<HttpRequestMessage> AsAsync(this HttpRequestMessage request, HttpClient admin, string principal)
    {
        ArgumentNullException.ThrowIfNull(request);
        var token = await Tokens.GetOrAdd((admin, principal), key => new Lazy<Task<string>>(() => CreateAsync(key.Admin, key.Principal))).Value;
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return request;
    }

    private static async Task<string> CreateAsync(HttpClient admin, string principal)
    {
        using var response = await admin.PostAsJsonAsync("/api/v1/tokens", new { name = principal, grants = new Dictionary<string, string[]> { ["*"] = ["admin"] } });
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.Created, $"POST /api/v1/tokens: {(int)response.StatusCode} {body}");
        return JsonNode.Parse(body)!["token"]!.GetValue<string>();
    }
}
