using System.Net;
using Orchestrator.Console.Tests.Infrastructure;
using Orchestrator.Runtime.Tests.Infrastructure;

namespace Orchestrator.Console.Tests.Browser;

/// <summary>The groups endpoint and the targets list's new filters refuse bad input with a 400 naming the field, and hide other namespaces.</summary>
[Collection(ConsoleCollection.Name)]
public sealed class StepGroupsHttpTests(ConsoleFixture fixture)
{
    private async Task<string> FinishedRunAsync()
    {
        await fixture.PutPlanAsync("console-groups-http", """
            name: console-groups-http
            steps:
              - name: hello
                targets:
                  hosts: [local]
                script: echo hello
            """);
        var id = await fixture.RunAsync("console-groups-http");
        await Eventually.Until(() => fixture.InstanceStatusAsync(id), s => s is "succeeded" or "failed", TimeSpan.FromSeconds(60), "the run to end");
        return id;
    }

    [Theory]
    [InlineData("targets?group=nope", "group")]
    [InlineData("targets?group=0123456789ABCDEF.0.10", "group")]
    [InlineData("targets?prefix=-web", "prefix")]
    [InlineData("targets?prefix=web%2F1", "prefix")]
    public async Task Targets_BadGroupOrPrefix_Is400NamingTheField(string query, string field)
    {
        var id = await FinishedRunAsync();
        using var response = await fixture.Api.GetAsync($"/api/v1/task-instances/{id}/steps/0/{query}");
        var body = await response.Content.ReadAsStringAsync();
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains($"\"path\":\"{field}\"", body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Groups_BadStepOrUnknownStep_Is400Or404()
    {
        var id = await FinishedRunAsync();
        using var bad = await fixture.Api.GetAsync($"/api/v1/task-instances/{id}/steps/x/groups");
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        Assert.Contains("\"path\":\"step\"", await bad.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        using var unknown = await fixture.Api.GetAsync($"/api/v1/task-instances/{id}/steps/7/groups");
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        using var ok = await fixture.Api.GetAsync($"/api/v1/task-instances/{id}/steps/0/groups");
        Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
        Assert.Contains("\"excerpt\":\"hello\"", await ok.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Groups_CallerWithoutTheRunsNamespace_Is404()
    {
        var id = await FinishedRunAsync();
        var (_, token) = await fixture.NewTokenAsync("groups-other-ns", """{"other": ["viewer"]}""");
        using var http = new HttpClient { BaseAddress = new Uri(fixture.Server), Timeout = TimeSpan.FromSeconds(30) };
        http.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", token);
        using var response = await http.GetAsync($"/api/v1/task-instances/{id}/steps/0/groups");
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    }
}
