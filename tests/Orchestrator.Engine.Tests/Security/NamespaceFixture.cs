using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using Orchestrator.Engine.Tests.Infrastructure;

namespace Orchestrator.Engine.Tests.Security;

/// <summary>
/// The real API on a one-silo SQLite cluster with two namespaces, <c>a</c> and <c>b</c>: an admin token of each (and an
/// operator and a viewer of <c>a</c>), one real agent registered in each namespace with the same label, a plan in each
/// whose step selects that label, one finished run of each, and a schedule on <c>b</c>'s plan.
/// </summary>
public sealed class NamespaceFixture : IAsyncLifetime
{
    public const string HostA = "ns-host-a";
    public const string HostB = "ns-host-b";

    /// <summary>A plan whose one step selects every host labelled <c>nstest=yes</c>, in whichever namespace.</summary>
    public static string SelectorPlan(string? ns) => $"""
        name: ns-selector
        {(ns is null ? "" : "namespace: " + ns)}
        steps:
          - name: hello
            targets: {"{"}selector: "nstest=yes"{"}"}
            script: echo hello from $ORCH_HOST
        """;

    public EngineHarness Harness { get; private set; } = null!;

    public HttpClient AdminA { get; private set; } = null!;

    public HttpClient AdminB { get; private set; } = null!;

    public HttpClient OperatorA { get; private set; } = null!;

    public HttpClient ViewerA { get; private set; } = null!;

    /// <summary>The id of the admin token of <c>b</c> (for the token rules).</summary>
    public string AdminBTokenId { get; private set; } = "";

    public string PlanA { get; } = "nsplan-a";

    public string PlanB { get; } = "nsplan-b";

    public string InstanceA { get; private set; } = "";

    public string InstanceB { get; private set; } = "";

    public async Task InitializeAsync()
    {
        Harness = await EngineHarness.StartAsync(EngineStores.Sqlite());
        AdminA = Harness.NewClient(await Harness.TokenForAsync("admin-a", Grants("a", "admin")));
        var (tokenB, idB) = await CreateTokenAsync("admin-b", Grants("b", "admin"));
        AdminB = Harness.NewClient(tokenB);
        AdminBTokenId = idB;
        OperatorA = Harness.NewClient(await Harness.TokenForAsync("operator-a", Grants("a", "operator")));
        ViewerA = Harness.NewClient(await Harness.TokenForAsync("viewer-a", Grants("a", "viewer")));

        var labels = new Dictionary<string, string> { ["nstest"] = "yes" };
        Harness.StartAgent(HostA, labels, "", "--namespace", "a");
        Harness.StartAgent(HostB, labels, "", "--namespace", "b");
        await Harness.WaitForHostsAsync(HostA, HostB);

        // One plan by ?namespace=, the other by the document's field.
        await ExpectAsync(HttpStatusCode.Created, await SendPlanAsync(AdminA, HttpMethod.Post, $"/api/v1/plans?id={PlanA}&namespace=a", SelectorPlan(null)));
        await ExpectAsync(HttpStatusCode.Created, await SendPlanAsync(AdminB, HttpMethod.Put, $"/api/v1/plans/{PlanB}", SelectorPlan("b")));
        InstanceA = await RunAsync(AdminA, PlanA);
        InstanceB = await RunAsync(AdminB, PlanB);
        await Harness.WaitForInstanceAsync(InstanceA, TimeSpan.FromSeconds(90), "succeeded", "failed");
        await Harness.WaitForInstanceAsync(InstanceB, TimeSpan.FromSeconds(90), "succeeded", "failed");
        using var schedule = await AdminB.PutAsJsonAsync($"/api/v1/plans/{PlanB}/schedules/nightly", new { cron = "0 3 * * *", suspend = true });
        await ExpectAsync(HttpStatusCode.Created, schedule);
    }

    public async Task DisposeAsync()
    {
        foreach (var client in new[] { AdminA, AdminB, OperatorA, ViewerA })
        {
            client?.Dispose();
        }
        await Harness.DisposeAsync();
    }

    public static Dictionary<string, string[]> Grants(string ns, params string[] roles) => new() { [ns] = roles };

    /// <summary>A token made by the admin of every namespace: its text and id.</summary>
    public async Task<(string Token, string Id)> CreateTokenAsync(string name, object grants)
    {
        using var response = await Harness.Http.PostAsJsonAsync("/api/v1/tokens", new { name, grants });
        var body = JsonNode.Parse(await ExpectAsync(HttpStatusCode.Created, response))!;
        return (body["token"]!.GetValue<string>(), body["id"]!.GetValue<string>());
    }

    public static async Task<HttpResponseMessage> SendPlanAsync(HttpClient http, HttpMethod method, string path, string yaml)
    {
        using var request = new HttpRequestMessage(method, path) { Content = new StringContent(yaml, Encoding.UTF8, "application/yaml") };
        return await http.SendAsync(request);
    }

    public static async Task<string> RunAsync(HttpClient http, string plan)
    {
        using var response = await http.PostAsJsonAsync($"/api/v1/plans/{plan}/run", new { });
        return JsonNode.Parse(await ExpectAsync(HttpStatusCode.Accepted, response))!["id"]!.GetValue<string>();
    }

    /// <summary>The body, after checking the status (the message shows both when it is another).</summary>
    public static async Task<string> ExpectAsync(HttpStatusCode expected, HttpResponseMessage response)
    {
        using (response)
        {
            var body = await response.Content.ReadAsStringAsync();
            Assert.True(response.StatusCode == expected, $"{response.RequestMessage?.Method} {response.RequestMessage?.RequestUri?.PathAndQuery}: expected {(int)expected}, got {(int)response.StatusCode} {body}");
            return body;
        }
    }
}

[CollectionDefinition(Name)]
public sealed class NamespaceCollection : ICollectionFixture<NamespaceFixture>
{
    public const string Name = "namespaces";
}
