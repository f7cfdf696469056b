using System.Net.Http.Headers;
using Orchestrator.Engine.Tests.Infrastructure;
using Orchestrator.Runtime.Persistence;
using Orchestrator.Runtime.Tests.Infrastructure;

namespace Orchestrator.Engine.Tests.BadInput;

/// <summary>
/// A one-silo cluster on one store with the real API, a plan whose only step waits for an approval (so nothing needs
/// an agent), one run of it, and the jobs API behind a secret, as Harbor's core calls it. One fixture per store runs
/// the same case table.
/// </summary>
public abstract class BadInputFixture : IAsyncLifetime
{
    public const string JobsSecret = "bad-input-jobs-secret";

    /// <summary>The upload limit of this fixture's API: above the 1 MiB of JSON bodies, small enough to go past cheaply.</summary>
    public const int MaxUploadBytes = 3 * 1024 * 1024;

    public const string SecretDefault = "s3cr3t-default-value";

    public const string GatePlanYaml = $$"""
        name: gate
        description: an approval and nothing else
        parameters:
          - name: greeting
            default: hello
          - name: token
            type: secret
            default: {{SecretDefault}}
        steps:
          - name: gate
            approval:
              required: 1
        """;

    public EngineHarness Harness { get; private set; } = null!;

    /// <summary>The gate plan's id.</summary>
    public string Plan { get; private set; } = "";

    /// <summary>A run of the gate plan (waiting for its approval).</summary>
    public string Instance { get; private set; } = "";

    protected abstract OrchestratorDatabaseOptions Store();

    public async Task InitializeAsync()
    {
        Harness = await EngineHarness.StartAsync(Store(), configureApi: o =>
        {
            o.MaxUploadBytes = MaxUploadBytes;
            o.JobsSecret = JobsSecret;
        });
        Plan = await Harness.PutPlanAsync(GatePlanYaml);
        Instance = await Harness.RunAsync(Plan);
        await Harness.WaitForInstanceAsync(Instance, TimeSpan.FromSeconds(60), "waitingForApproval");
    }

    public async Task DisposeAsync() => await Harness.DisposeAsync();

    /// <summary>Sends a case as written: raw path and query (no client-side normalisation), bytes, content type and headers.</summary>
    public async Task<HttpResponseMessage> SendAsync(BadInputCase c)
    {
        var path = c.Path.Replace("{plan}", Plan, StringComparison.Ordinal)
            .Replace("{instance}", Instance, StringComparison.Ordinal)
            .Replace("{new}", "n" + Guid.NewGuid().ToString("N")[..12], StringComparison.Ordinal);
        var uri = new Uri(Harness.Server + path, new UriCreationOptions { DangerousDisablePathAndQueryCanonicalization = true });
        using var request = new HttpRequestMessage(new HttpMethod(c.Method), uri);
        if (c.Content is { } bytes)
        {
            request.Content = new ByteArrayContent(bytes);
            if (c.ContentType is not null)
            {
                request.Content.Headers.TryAddWithoutValidation("Content-Type", c.ContentType);
            }
        }
        foreach (var (name, value) in c.Headers)
        {
            request.Headers.TryAddWithoutValidation(name, value.Replace(BadInputCases.AgentToken, Harness.AgentBearer(c.Path.Replace("/api/v1/agent/", "", StringComparison.Ordinal), BadInputCases.Session), StringComparison.Ordinal));
        }
        // A client sending a large body asks first (as curl does), so that a 413 arrives instead of a reset connection.
        request.Headers.ExpectContinue = c.Content is { Length: > 64 * 1024 };
        if (c.Harbor)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Harbor-Secret", JobsSecret);
        }
        if (c.Anonymous)
        {
            using var anonymous = new HttpClient();
            return await anonymous.SendAsync(request);
        }
        return await Harness.Http.SendAsync(request);
    }
}

public sealed class SqliteBadInputFixture : BadInputFixture
{
    protected override OrchestratorDatabaseOptions Store() => EngineStores.Sqlite();
}

public sealed class PostgresBadInputFixture : BadInputFixture
{
    protected override OrchestratorDatabaseOptions Store() => EngineStores.Postgres("bad");
}
