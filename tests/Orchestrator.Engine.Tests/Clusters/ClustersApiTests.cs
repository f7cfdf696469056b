using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Orchestrator.Engine.Tests.Security;

namespace Orchestrator.Engine.Tests.Clusters;

/// <summary>
/// /api/v1/clusters on the real API and silo: registering, replacing, listing and deleting a cluster; every bad field
/// named; credentials accepted only as file references; writes reserved to an admin of every namespace.
/// </summary>
[Collection(SecurityCollection.Name)]
public sealed class ClustersApiTests(SecurityFixture fixture)
{
    private HttpClient Admin => fixture.Harness.Http;

    private static object Body(object? credentials = null, object? labels = null, int capacity = 20) => new
    {
        apiServer = "https://k8s.eu-1.example.com:6443",
        defaultNamespace = "batch",
        labels = labels ?? new { env = "prod", region = "eu" },
        capacity,
        credentials = credentials ?? new { tokenFile = "/var/run/orch/eu-1/token", caFile = "/var/run/orch/eu-1/ca.crt" },
    };

    private static async Task<(HttpStatusCode Status, JsonNode? Body, string Text)> SendAsync(HttpClient http, HttpMethod method, string path, object? body = null)
    {
        using var request = new HttpRequestMessage(method, path) { Content = body is null ? null : JsonContent.Create(body) };
        using var response = await http.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        return (response.StatusCode, text.Length == 0 ? null : JsonNode.Parse(text), text);
    }

    private static List<string> ErrorPaths(JsonNode? problem) =>
        problem?["errors"]?.AsArray().Select(e => e!["path"]!.GetValue<string>()).ToList() ?? [];

    [Fact]
    public async Task Put_NewThenReplaced_CreatedThenOkAndReadBack()
    {
        var (created, createdBody, createdText) = await SendAsync(Admin, HttpMethod.Put, "/api/v1/clusters/eu-1", Body());
        var (replaced, _, replacedText) = await SendAsync(Admin, HttpMethod.Put, "/api/v1/clusters/eu-1", Body(labels: new { env = "prod", region = "eu", tier = "gold" }, capacity: 5));
        var (read, view, _) = await SendAsync(Admin, HttpMethod.Get, "/api/v1/clusters/eu-1");

        Assert.True(created == HttpStatusCode.Created, createdText);
        Assert.Equal("eu-1", createdBody!["name"]!.GetValue<string>());
        Assert.True(replaced == HttpStatusCode.OK, replacedText);
        Assert.Equal(HttpStatusCode.OK, read);
        var spec = view!["spec"]!;
        Assert.Equal(("https://k8s.eu-1.example.com:6443", "batch", 5), (spec["apiServer"]!.GetValue<string>(), spec["defaultNamespace"]!.GetValue<string>(), spec["capacity"]!.GetValue<int>()));
        Assert.Equal("gold", spec["labels"]!["tier"]!.GetValue<string>());
        Assert.Equal("/var/run/orch/eu-1/token", spec["credentials"]!["tokenFile"]!.GetValue<string>());
        Assert.Equal("admin", view["updatedBy"]!.GetValue<string>());
    }

    [Fact]
    public async Task List_TwoClusters_BothInNameOrderWithPaging()
    {
        await SendAsync(Admin, HttpMethod.Put, "/api/v1/clusters/list-a", Body(credentials: new { inCluster = true }));
        await SendAsync(Admin, HttpMethod.Put, "/api/v1/clusters/list-b", Body(credentials: new { kubeconfigFile = "/etc/orch/kubeconfig", context = "b" }));

        var (status, page, text) = await SendAsync(Admin, HttpMethod.Get, "/api/v1/clusters?limit=1000");

        Assert.True(status == HttpStatusCode.OK, text);
        var names = page!["items"]!.AsArray().Select(i => i!["name"]!.GetValue<string>()).ToList();
        Assert.Equal(names.Order(StringComparer.Ordinal), names);
        Assert.Contains("list-a", names);
        Assert.Contains("list-b", names);
        var (_, first, _) = await SendAsync(Admin, HttpMethod.Get, "/api/v1/clusters?limit=1");
        Assert.Single(first!["items"]!.AsArray());
        Assert.NotNull(first["next"]);
    }

    [Fact]
    public async Task Delete_Registered_GoneFromGetAndList()
    {
        await SendAsync(Admin, HttpMethod.Put, "/api/v1/clusters/gone-1", Body());

        var (deleted, _, _) = await SendAsync(Admin, HttpMethod.Delete, "/api/v1/clusters/gone-1");
        var (read, _, _) = await SendAsync(Admin, HttpMethod.Get, "/api/v1/clusters/gone-1");
        var (again, _, _) = await SendAsync(Admin, HttpMethod.Delete, "/api/v1/clusters/gone-1");
        var (_, page, _) = await SendAsync(Admin, HttpMethod.Get, "/api/v1/clusters?limit=1000");

        Assert.Equal((HttpStatusCode.NoContent, HttpStatusCode.NotFound, HttpStatusCode.NotFound), (deleted, read, again));
        Assert.DoesNotContain(page!["items"]!.AsArray(), i => i!["name"]!.GetValue<string>() == "gone-1");
    }

    [Fact]
    public async Task Put_CredentialInline_400NamingTheFieldWithoutEchoingIt()
    {
        const string Secret = "eyJhbGciOiJSUzI1NiJ9.secret-token-value";

        var (status, problem, text) = await SendAsync(Admin, HttpMethod.Put, "/api/v1/clusters/inline-1", Body(credentials: new { token = Secret }));

        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Contains("credentials.token", ErrorPaths(problem));
        Assert.Contains("tokenFile", text, StringComparison.Ordinal);
        Assert.DoesNotContain(Secret, text, StringComparison.Ordinal);
        var (read, _, _) = await SendAsync(Admin, HttpMethod.Get, "/api/v1/clusters/inline-1");
        Assert.Equal(HttpStatusCode.NotFound, read);
    }

    [Fact]
    public async Task Put_BadFields_400NamingEach()
    {
        var (status, problem, text) = await SendAsync(Admin, HttpMethod.Put, "/api/v1/clusters/bad-1", new
        {
            apiServer = "http://k8s.example.com",
            defaultNamespace = "Batch_NS",
            labels = new Dictionary<string, string> { ["env"] = "not ok", ["bad key!"] = "x" },
            capacity = 0,
            credentials = new { kubeconfigFile = "relative/kubeconfig", caFile = "/ca.crt" },
            colour = "blue",
        });

        Assert.True(status == HttpStatusCode.BadRequest, text);
        Assert.Equal(
            ["apiServer", "capacity", "colour", "credentials.caFile", "credentials.kubeconfigFile", "defaultNamespace", "labels.env", "labels['bad key!']"],
            ErrorPaths(problem).Distinct().Order(StringComparer.Ordinal));
    }

    [Theory]
    [InlineData("{}", "credentials")]
    [InlineData("{\"credentials\": {}}", "credentials")]
    [InlineData("{\"credentials\": {\"inCluster\": true, \"kubeconfigFile\": \"/k\"}}", "credentials")]
    [InlineData("{\"credentials\": {\"tokenFile\": \"/t\"}}", "apiServer")]
    [InlineData("{\"credentials\": {\"inCluster\": true, \"context\": \"x\"}}", "credentials.context")]
    public async Task Put_CredentialsNotExactlyOneWay_400(string body, string path)
    {
        using var response = await Admin.PutAsync("/api/v1/clusters/creds-1", new StringContent(body, System.Text.Encoding.UTF8, "application/json"));
        var problem = JsonNode.Parse(await response.Content.ReadAsStringAsync());

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal([path], ErrorPaths(problem));
    }

    [Theory]
    [InlineData("EU_1")]
    [InlineData("-a")]
    public async Task Put_BadName_400NamingIt(string name)
    {
        var (status, problem, _) = await SendAsync(Admin, HttpMethod.Put, $"/api/v1/clusters/{name}", Body());

        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Equal(["name"], ErrorPaths(problem));
    }

    [Fact]
    public async Task Roles_ViewerReadsNamespaceAdminCannotWrite()
    {
        await SendAsync(Admin, HttpMethod.Put, "/api/v1/clusters/roles-1", Body());
        var viewer = await fixture.CreateTokenAsync("cluster-viewer", new Dictionary<string, string[]> { ["default"] = ["viewer"] });
        var nsAdmin = await fixture.CreateTokenAsync("cluster-ns-admin", new Dictionary<string, string[]> { ["default"] = ["admin"] });
        using var asViewer = fixture.As(viewer["token"]!.GetValue<string>());
        using var asNsAdmin = fixture.As(nsAdmin["token"]!.GetValue<string>());

        var (read, _, _) = await SendAsync(asViewer, HttpMethod.Get, "/api/v1/clusters/roles-1");
        var (list, _, _) = await SendAsync(asViewer, HttpMethod.Get, "/api/v1/clusters");
        var (viewerPut, _, viewerText) = await SendAsync(asViewer, HttpMethod.Put, "/api/v1/clusters/roles-1", Body());
        var (adminPut, _, adminText) = await SendAsync(asNsAdmin, HttpMethod.Put, "/api/v1/clusters/roles-1", Body());
        var (adminDelete, _, _) = await SendAsync(asNsAdmin, HttpMethod.Delete, "/api/v1/clusters/roles-1");

        Assert.Equal((HttpStatusCode.OK, HttpStatusCode.OK), (read, list));
        Assert.Equal(HttpStatusCode.Forbidden, viewerPut);
        Assert.Contains("'admin' role", viewerText, StringComparison.Ordinal);
        Assert.Equal((HttpStatusCode.Forbidden, HttpStatusCode.Forbidden), (adminPut, adminDelete));
        Assert.Contains("namespace '*'", adminText, StringComparison.Ordinal);
    }
}
