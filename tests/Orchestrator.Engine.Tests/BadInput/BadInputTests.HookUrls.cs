using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using Orchestrator.Runtime.Tests.Infrastructure;

namespace Orchestrator.Engine.Tests.BadInput;

public abstract partial class BadInputTests<TFixture>
{
    /// <summary>A hook URL with a user name, password and a token in its query, and how every view must show it.</summary>
    private const string HookWithCredentials = "http://alice:hunter2@127.0.0.1:9/x?token=qs-secret";

    private const string HookShown = "http://***@127.0.0.1:9/x?token=***";

    private static readonly string[] Credentials = ["hunter2", "qs-secret"];

    [Fact]
    public async Task JobViews_HookUrlWithCredentials_ShowItRedactedEverywhere()
    {
        var generic = await SubmitJobAsync($$$$"""{"job":{"name":"{{{{fixture.Plan}}}}","status_hook":"{{{{HookWithCredentials}}}}","metadata":{"kind":"Generic"}}}""");
        Assert.Equal(HookShown, generic["hook_status"]!.GetValue<string>());
        var id = generic["id"]!.GetValue<string>();
        await H.WaitForInstanceAsync(id, Wait, "waitingForApproval");

        var stats = await GetJobAsync(id);
        Assert.Equal(HookShown, stats["hook_status"]!.GetValue<string>());
        var instance = await H.Http.GetStringAsync($"/api/v1/task-instances/{id}");
        Assert.Equal(HookShown, JsonNode.Parse(instance)!["labels"]!["job.hook"]!.GetValue<string>());
        AssertNoCredentials(instance);
        // The run's hook: its first event (the run started) is being delivered to a closed port.
        var hook = await Eventually.Until(async () =>
        {
            using var response = await H.Http.GetAsync($"/api/v1/task-instances/{id}/hook");
            return response.StatusCode == HttpStatusCode.OK ? await response.Content.ReadAsStringAsync() : null;
        }, h => h is not null, Wait, $"hook of {id}");
        Assert.Equal(HookShown, JsonNode.Parse(hook!)!["url"]!.GetValue<string>());
        AssertNoCredentials(hook!);

        var periodic = await SubmitJobAsync($$$$"""{"job":{"name":"{{{{fixture.Plan}}}}","status_hook":"{{{{HookWithCredentials}}}}","metadata":{"kind":"Periodic","cron_spec":"0 0 0 1 1 *"}}}""");
        Assert.Equal(HookShown, periodic["hook_status"]!.GetValue<string>());
        Assert.Equal(HookShown, (await GetJobAsync(periodic["id"]!.GetValue<string>()))["hook_status"]!.GetValue<string>());
    }

    [Theory]
    [InlineData("/api/v1/plans/{plan}/run", """{"statusHook":{"url":"ftp://bob:hunter2@h.example/x?token=qs-secret"}}""")]
    [InlineData("/api/v1/jobs", """{"job":{"name":"script","status_hook":"ftp://bob:hunter2@h.example/x?token=qs-secret","metadata":{"kind":"Generic"}}}""")]
    [InlineData("/api/v1/jobs", """{"job":{"name":"http","parameters":{"url":"ftp://bob:hunter2@h.example/x?token=qs-secret"},"metadata":{"kind":"Generic"}}}""")]
    public async Task BadUrlWithCredentials_TheRefusalQuotesItRedacted(string path, string body)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, path.Replace("{plan}", fixture.Plan, StringComparison.Ordinal))
        {
            Content = new StringContent(body, Encoding.UTF8, "application/json"),
        };
        if (path.StartsWith("/api/v1/jobs", StringComparison.Ordinal))
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Harbor-Secret", BadInputFixture.JobsSecret); // the REST API's calls go as the harness's admin
        }
        using var response = await H.Http.SendAsync(request);

        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.BadRequest, $"{(int)response.StatusCode} {text}");
        Assert.Contains("ftp://***@h.example/x?token=***", text, StringComparison.Ordinal);
        AssertNoCredentials(text);
    }

    private static void AssertNoCredentials(string text) =>
        Assert.All(Credentials, c => Assert.DoesNotContain(c, text, StringComparison.Ordinal));

    private async Task<JsonNode> SubmitJobAsync(string body)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/v1/jobs") { Content = new StringContent(body, Encoding.UTF8, "application/json") };
        request.Headers.Authorization = new AuthenticationHeaderValue("Harbor-Secret", BadInputFixture.JobsSecret);
        using var response = await H.Http.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.Accepted, $"submit: {(int)response.StatusCode} {text}");
        AssertNoCredentials(text);
        return JsonNode.Parse(text)!["job"]!;
    }

    private async Task<JsonNode> GetJobAsync(string id)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, $"/api/v1/jobs/{id}");
        request.Headers.Authorization = new AuthenticationHeaderValue("Harbor-Secret", BadInputFixture.JobsSecret);
        using var response = await H.Http.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"GET job: {(int)response.StatusCode} {text}");
        AssertNoCredentials(text);
        return JsonNode.Parse(text)!["job"]!;
    }
}
