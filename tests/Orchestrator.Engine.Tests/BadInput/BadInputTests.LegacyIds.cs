using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using Orchestrator.Engine.Tests.Infrastructure;
using Orchestrator.GrainInterfaces;
using Orchestrator.Plans.Parsing;
using Orchestrator.Runtime.Tests.Infrastructure;

namespace Orchestrator.Engine.Tests.BadInput;

public abstract partial class BadInputTests<TFixture>
{
    /// <summary>
    /// A plan stored before ids had to start with a letter or digit (here straight through the grain client, as a
    /// store from then holds it) is still read, updated, run and run through the jobs API under its id.
    /// </summary>
    [Fact]
    public async Task LegacyPlanId_StoredUnderTheOlderAlphabet_IsStillReadUpdatedAndRun()
    {
        var id = "_template-" + Guid.NewGuid().ToString("N")[..8];
        var parsed = PlanParser.Parse(BadInputFixture.GatePlanYaml, "application/yaml");
        Assert.True(parsed.Ok, string.Join("; ", parsed.Errors));
        var grain = H.Client.GetGrain<IPlanGrain>(id);
        var requestId = Guid.NewGuid().ToString("N");
        await grain.Save(new SavePlan(requestId, parsed.Plan!, 0, "before-the-rule"));
        var saved = await Eventually.Until(() => grain.GetRequestResultAsync(requestId).AsTask(), r => r is not null, Wait, $"plan {id} saved");
        Assert.True(saved!.Ok, saved.Error);

        using (var get = await H.Http.GetAsync($"/api/v1/plans/{id}"))
        {
            Assert.True(get.StatusCode == HttpStatusCode.OK, $"GET: {(int)get.StatusCode} {await get.Content.ReadAsStringAsync()}");
        }
        using (var content = new StringContent(BadInputFixture.GatePlanYaml.Replace("an approval", "version two", StringComparison.Ordinal), Encoding.UTF8, "application/yaml"))
        using (var put = await H.Http.PutAsync($"/api/v1/plans/{id}", content))
        {
            var text = await put.Content.ReadAsStringAsync();
            Assert.True(put.StatusCode == HttpStatusCode.OK, $"PUT: {(int)put.StatusCode} {text}");
            Assert.Equal(2, JsonNode.Parse(text)!["version"]!.GetValue<int>());
        }
        var run = await H.RunAsync(id, new { greeting = "legacy" });
        var waiting = await H.WaitForInstanceAsync(run, Wait, "waitingForApproval");
        Assert.Equal(id, waiting["planId"]!.GetValue<string>());

        using var job = new HttpRequestMessage(HttpMethod.Post, "/api/v1/jobs")
        {
            Content = new StringContent($$$$"""{"job":{"name":"{{{{id}}}}","parameters":{"greeting":"hi"},"metadata":{"kind":"Generic"}}}""", Encoding.UTF8, "application/json"),
        };
        job.Headers.Authorization = new AuthenticationHeaderValue("Harbor-Secret", BadInputFixture.JobsSecret);
        using var submitted = await H.Http.SendAsync(job);
        var answer = await submitted.Content.ReadAsStringAsync();
        Assert.True(submitted.StatusCode == HttpStatusCode.Accepted, $"jobs API: {(int)submitted.StatusCode} {answer}");
        var jobId = JsonNode.Parse(answer)!["job"]!["id"]!.GetValue<string>();
        await H.WaitForInstanceAsync(jobId, Wait, "waitingForApproval");
    }

    [Theory]
    [InlineData("POST", "/api/v1/plans?id=_new-")]
    [InlineData("PUT", "/api/v1/plans/_new-")]
    [InlineData("PUT", "/api/v1/plans/-new-")]
    public async Task NewPlanId_NotStartingWithALetterOrDigit_IsRefusedAndNothingIsStored(string method, string path)
    {
        var suffix = Guid.NewGuid().ToString("N")[..8];
        var id = path[(path.LastIndexOfAny(['=', '/']) + 1)..] + suffix;
        using var content = new StringContent(BadInputFixture.GatePlanYaml, Encoding.UTF8, "application/yaml");
        using var request = new HttpRequestMessage(new HttpMethod(method), path + suffix) { Content = content };
        using var response = await H.Http.SendAsync(request);

        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.BadRequest, $"{(int)response.StatusCode} {text}");
        Assert.Equal("id", JsonNode.Parse(text)!["errors"]![0]!["path"]!.GetValue<string>());
        Assert.Contains("starting with a letter or digit", text, StringComparison.Ordinal);
        Assert.Null(await H.Client.GetGrain<IPlanGrain>(id).GetAsync(null));
    }
}
