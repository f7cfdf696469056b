using System.Net;
using Orchestrator.Client;
using Orchestrator.Engine.Tests.EndToEnd;
using Orchestrator.Engine.Tests.Infrastructure;

namespace Orchestrator.Engine.Tests.Client;

/// <summary>Problem replies of the real API map onto <see cref="OrchestratorApiException"/>: status, title, field errors, trace id.</summary>
[Collection(FleetCollection.Name)]
public sealed class ClientProblemTests(FleetFixture fleet)
{
    private EngineHarness H => fleet.Harness;

    [Fact]
    public async Task PutPlanAsync_InvalidPlan_ThrowsWithTheFieldsLineColumnAndTraceId()
    {
        using var client = new OrchestratorClient(new Uri(H.Server), H.AdminToken);

        var e = await Assert.ThrowsAsync<OrchestratorApiException>(() => client.PutPlanAsync("bad" + Guid.NewGuid().ToString("N")[..8], """
            name: bad
            steps:
              - name: s
                scrpt: "true"
            """));

        Assert.Equal(HttpStatusCode.BadRequest, e.StatusCode);
        Assert.Equal("The plan is invalid.", e.Problem.Title);
        var error = Assert.Single(e.Errors, x => x.Path.Contains("scrpt", StringComparison.Ordinal));
        Assert.Equal(4, error.Line);
        Assert.NotNull(error.Column);
        Assert.False(string.IsNullOrEmpty(e.TraceId));
        Assert.Contains(e.TraceId!, e.Message, StringComparison.Ordinal);
        Assert.Contains("scrpt", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RunPlanAsync_UnknownParameter_ThrowsNamingTheParameter()
    {
        using var client = new OrchestratorClient(new Uri(H.Server), H.AdminToken);
        var plan = await client.PutPlanAsync("prob" + Guid.NewGuid().ToString("N")[..8], """
            name: p
            steps:
              - name: s
                approval:
                  approvers: [alice]
            """);

        var e = await Assert.ThrowsAsync<OrchestratorApiException>(() => client.RunPlanAsync(plan.Id, new Dictionary<string, string> { ["nope"] = "x" }));

        Assert.Equal(HttpStatusCode.BadRequest, e.StatusCode);
        Assert.Contains(e.Errors, x => x.Path == "parameters.nope");
    }

    [Fact]
    public async Task ListPlansAsync_LimitOutOfRange_ThrowsNamingLimit()
    {
        using var client = new OrchestratorClient(new Uri(H.Server), H.AdminToken);

        var e = await Assert.ThrowsAsync<OrchestratorApiException>(() => client.ListPlansAsync(new PageRequest(Limit: 0)));

        Assert.Equal("limit", Assert.Single(e.Errors).Path);
    }

    [Fact]
    public async Task GetInstanceAsync_NoSuchInstance_Throws404WithoutRetrying()
    {
        var calls = new LostReplies();
        using var client = new OrchestratorClient(new OrchestratorClientOptions { BaseAddress = new Uri(H.Server), Token = H.AdminToken },
            new HeaderProbe(calls, "Idempotency-Key") { InnerHandler = new SocketsHttpHandler() });

        var e = await Assert.ThrowsAsync<OrchestratorApiException>(() => client.GetInstanceAsync("missing" + Guid.NewGuid().ToString("N")[..8]));

        Assert.Equal(HttpStatusCode.NotFound, e.StatusCode);
        Assert.Equal("Not found.", e.Problem.Title);
        Assert.Empty(e.Errors);
        Assert.Equal([null], calls.Keys); // one attempt, and a read carries no idempotency key
    }
}
