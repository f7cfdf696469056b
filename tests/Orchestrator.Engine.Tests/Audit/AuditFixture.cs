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
/// How a test names the caller. Until authentication lands that is the <c>X-Orchestrator-User</c> header; afterwards
/// this one place changes (a token per principal).
/// </summary>
public static class AuditCaller
{
    /// <summary>A principal of the test's own.</summary>
    public static string NewPrincipal() => "audit-" + Guid.NewGuid().ToString("N")[..10];

    public static HttpRequestMessage As(this HttpRequestMessage request, string principal)
    {
        ArgumentNullException.ThrowIfNull(request);
        request.Headers.Add("X-Orchestrator-User", principal);
        return request;
    }
}
