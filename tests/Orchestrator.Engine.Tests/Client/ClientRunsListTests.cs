using Orchestrator.Client;
using Orchestrator.Engine.Tests.EndToEnd;
using Orchestrator.Engine.Tests.Infrastructure;
using Orchestrator.Runtime.Tests.Infrastructure;

namespace Orchestrator.Engine.Tests.Client;

/// <summary>The runs list's filters (plan, status, namespace, who started them, creation time) through the client, against the fleet's real API.</summary>
[Collection(FleetCollection.Name)]
public sealed class ClientRunsListTests(FleetFixture fleet)
{
    private EngineHarness H => fleet.Harness;

    private OrchestratorClient With(string token) => new(new OrchestratorClientOptions { BaseAddress = new Uri(H.Server), Token = token });

    [Fact]
    public async Task QueryInstancesAsync_EachFilter_ListsOnlyTheRunsItMatches()
    {
        using var admin = With(H.AdminToken);
        var planId = "filters" + Guid.NewGuid().ToString("N")[..10];
        await admin.PutPlanAsync(planId, """
            name: filtered
            steps:
              - name: sign-off
                approval:
                  message: waits on purpose
            """);
        var operatorName = "runner-" + Guid.NewGuid().ToString("N")[..8];
        var token = await admin.CreateTokenAsync(new TokenRequest(operatorName, new Dictionary<string, IReadOnlyList<string>> { ["default"] = ["operator"] }));
        using var runner = With(token.Token);
        var byAdmin = await admin.RunPlanAsync(planId);
        var byRunner = await runner.RunPlanAsync(planId);

        async Task<List<string>> Ids(InstanceFilter filter) =>
            [.. (await admin.AllAsync((page, ct) => admin.QueryInstancesAsync(filter, page, ct)).ToListAsync()).Select(i => i.Id)];

        var all = await Eventually.Until(() => admin.AllAsync((page, ct) => admin.QueryInstancesAsync(new InstanceFilter(ExecutionStatus.WaitingForApproval, planId), page, ct)).ToListAsync().AsTask(),
            items => items.Count == 2, TimeSpan.FromSeconds(60), "both runs waiting for approval");
        Assert.Equal(new[] { byAdmin.Id, byRunner.Id }.Order(StringComparer.Ordinal), all.Select(i => i.Id).Order(StringComparer.Ordinal));
        Assert.Equal(operatorName, Assert.Single(all, i => i.Id == byRunner.Id).Instance.By);

        Assert.Equal([byRunner.Id], await Ids(new InstanceFilter(PlanId: planId, By: operatorName)));
        Assert.Equal([byAdmin.Id], await Ids(new InstanceFilter(PlanId: planId, By: "admin")));
        Assert.Empty(await Ids(new InstanceFilter(ExecutionStatus.Succeeded, planId)));
        Assert.Empty(await Ids(new InstanceFilter(PlanId: planId, Namespace: "nowhere")));
        Assert.Equal(2, (await Ids(new InstanceFilter(PlanId: planId, Namespace: "default"))).Count);

        var created = all.Select(i => i.Instance.CreatedAt).ToList();
        var (first, last) = (created.Min(), created.Max());
        Assert.Equal(2, (await Ids(new InstanceFilter(PlanId: planId, From: first, To: last.AddSeconds(1)))).Count);
        Assert.Empty(await Ids(new InstanceFilter(PlanId: planId, From: last.AddSeconds(1))));
        Assert.Empty(await Ids(new InstanceFilter(PlanId: planId, To: first.AddSeconds(-1))));

        await admin.CancelInstanceAsync(byAdmin.Id, "test done");
        await admin.CancelInstanceAsync(byRunner.Id, "test done");
    }
}
