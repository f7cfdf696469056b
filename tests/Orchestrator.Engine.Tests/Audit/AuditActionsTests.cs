using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Logging;
using Orchestrator.Api.Audit;
using Orchestrator.Api.Hosting;

namespace Orchestrator.Engine.Tests.Audit;

/// <summary>The action names of the audit log: every state-changing endpoint has one of its own.</summary>
public sealed class AuditActionsTests
{
    [Fact]
    public async Task Named_EveryStateChangingEndpointOfTheApi_IsListedOrIsTheAgentDataPlane()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.Services.AddOrchestratorApi(new ApiOptions { AgentToken = "t" });
        await using var app = builder.Build();
        app.MapOrchestratorApi();

        var changing = ((IEndpointRouteBuilder)app).DataSources.SelectMany(d => d.Endpoints).OfType<RouteEndpoint>()
            .SelectMany(e => (e.Metadata.GetMetadata<HttpMethodMetadata>()?.HttpMethods ?? []).Where(AuditActions.Changes).Select(m => (Method: m, Route: AuditActions.RouteOf(e)!)))
            .ToList();
        var unnamed = changing.Where(c => AuditActions.IsAudited(c.Method, c.Route) && !AuditActions.Named.Contains(c)).ToList();

        Assert.True(changing.Count > 15, $"only {changing.Count} state-changing endpoints found");
        Assert.True(unnamed.Count == 0, "Name these in AuditActions: " + string.Join(", ", unnamed));
    }

    [Theory]
    [InlineData("POST", "/api/v1/agent/poll", false)]
    [InlineData("POST", "/api/v1/agent/events", false)]
    [InlineData("POST", "/api/v1/agent/logs", false)]
    [InlineData("POST", "/api/v1/agent/heartbeat", false)]
    [InlineData("PUT", "/api/v1/agent/files", false)]
    [InlineData("POST", "/api/v1/agent/register", true)]
    [InlineData("GET", "/api/v1/plans", false)]
    [InlineData("HEAD", "/api/v1/plans", false)]
    [InlineData("PATCH", "/api/v1/plans/p1", true)]
    [InlineData("DELETE", "/api/v1/task-instances/ti-1", true)]
    [InlineData("POST", "/api/v1/jobs", true)]
    [InlineData("POST", "/healthz", false)]
    public void IsAudited_ByMethodAndPath_AuditsChangesButNotTheAgentDataPlane(string method, string path, bool audited) =>
        Assert.Equal(audited, AuditActions.IsAudited(method, path));

    [Fact]
    public void Of_AStepActionOrAnEndpointNotListed_IsNamedWithoutRepeatingWhatTheCallerSent()
    {
        var response = new DefaultHttpContext().Response;
        var values = new RouteValueDictionary { ["id"] = "ti-1", ["step"] = "2", ["action"] = "x<script>" };

        Assert.Equal(new AuditSubject("instance.step.unknown", "instance", "ti-1/steps/2"),
            AuditActions.Of("POST", "/api/v1/task-instances/{id}/steps/{step}/{action}", values, response));
        Assert.Equal(new AuditSubject("instance.step.retry", "instance", "ti-1/steps/2"),
            AuditActions.Of("POST", "/api/v1/task-instances/{id}/steps/{step}/{action}", new RouteValueDictionary(values) { ["action"] = "retry" }, response));
        Assert.Equal(new AuditSubject("widgets.frobs.put", null, null), AuditActions.Of("PUT", "/api/v1/widgets/{id}/frobs", values, response));
        response.StatusCode = 404;
        Assert.Equal(new AuditSubject("unmatched", null, null), AuditActions.Of("POST", null, values, response));
        response.StatusCode = 400;
        Assert.Equal(new AuditSubject("refused", null, null), AuditActions.Of("POST", null, values, response));
        Assert.Null(AuditActions.Of("POST", "/api/v1/schedules/preview", values, response));
    }
}
