using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Orchestrator.Console.Tests.Infrastructure;
using Orchestrator.Runtime.Tests.Infrastructure;

namespace Orchestrator.Console.Tests.Browser;

/// <summary>The console's server side over plain HTTP against the same silo: sign-in's checks, its files, the run's event stream.</summary>
[Collection(ConsoleCollection.Name)]
public sealed class SessionAndEventsHttpTests(ConsoleFixture fixture)
{
    private HttpClient Anonymous() => new() { BaseAddress = new Uri(fixture.Server), Timeout = TimeSpan.FromSeconds(30) };

    private static HttpRequestMessage SignIn(string body, bool header = true)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "/console/session") { Content = new StringContent(body, Encoding.UTF8, "application/json") };
        if (header)
        {
            request.Headers.Add("X-Orch-Console", "1");
        }
        return request;
    }

    [Fact]
    public async Task SignIn_WithoutConsoleHeader_Is400NamingTheHeader()
    {
        using var http = Anonymous();
        using var response = await http.SendAsync(SignIn($"{{\"token\":\"{fixture.AdminToken}\"}}", header: false));
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("X-Orch-Console", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.False(response.Headers.Contains("Set-Cookie"));
    }

    [Fact]
    public async Task SignIn_EmptyOrUnknownField_Is400NamingTheField()
    {
        using var http = Anonymous();
        using var empty = await http.SendAsync(SignIn("{\"token\":\"  \"}"));
        Assert.Equal(HttpStatusCode.BadRequest, empty.StatusCode);
        Assert.Contains("\"path\":\"token\"", await empty.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        using var unknown = await http.SendAsync(SignIn("{\"token\":\"x\",\"password\":\"y\"}"));
        Assert.Equal(HttpStatusCode.BadRequest, unknown.StatusCode);
        Assert.Contains("password", await unknown.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task SignIn_AdminToken_SetsHttpOnlyStrictCookieAndAnswersGrants()
    {
        using var http = Anonymous();
        using var response = await http.SendAsync(SignIn($"{{\"token\":\"{fixture.AdminToken}\"}}"));
        var body = await response.Content.ReadAsStringAsync();
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var cookie = Assert.Single(response.Headers.GetValues("Set-Cookie"));
        Assert.StartsWith("orch_console=", cookie, StringComparison.Ordinal);
        Assert.Contains("httponly", cookie, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("samesite=strict", cookie, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("secure", cookie.Replace("samesite", "", StringComparison.OrdinalIgnoreCase), StringComparison.OrdinalIgnoreCase); // plain HTTP here
        var me = JsonDocument.Parse(body).RootElement;
        Assert.Equal("admin", me.GetProperty("principal").GetString());
        Assert.Equal("admin", me.GetProperty("grants").GetProperty("*")[0].GetString());
        Assert.DoesNotContain(fixture.AdminToken, body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ConsoleFiles_ServedWithStrictPolicyAndNoOutsideUrls()
    {
        using var http = Anonymous();
        using var index = await http.GetAsync("/");
        Assert.Equal(HttpStatusCode.OK, index.StatusCode);
        Assert.Equal("text/html", index.Content.Headers.ContentType?.MediaType);
        Assert.Contains("script-src 'self'", index.Headers.GetValues("Content-Security-Policy").Single(), StringComparison.Ordinal);
        Assert.Contains("frame-ancestors 'none'", index.Headers.GetValues("Content-Security-Policy").Single(), StringComparison.Ordinal);
        using var script = await http.GetAsync("/console/js/app.js");
        Assert.Equal(HttpStatusCode.OK, script.StatusCode);
        Assert.Equal("text/javascript", script.Content.Headers.ContentType?.MediaType);
        using var missing = await http.GetAsync("/console/js/nope.js");
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
        using var traversal = await http.GetAsync("/console/..%2FOrchestrator.Api.dll");
        Assert.Equal(HttpStatusCode.NotFound, traversal.StatusCode);
    }

    [Fact]
    public async Task Events_WaitingRun_SendsStateThenChangeThenEnd()
    {
        await fixture.PutPlanAsync("console-events", """
            name: console-events
            steps:
              - name: sign-off
                approval:
                  message: Approve to end the stream.
            """);
        var id = await fixture.RunAsync("console-events");
        using var request = new HttpRequestMessage(HttpMethod.Get, $"/api/v1/task-instances/{id}/events");
        using var response = await fixture.Api.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/event-stream", response.Content.Headers.ContentType?.MediaType);
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync());
        var events = new List<(string Event, string Id, string Data)>();
        var readAll = ReadEventsAsync(reader, events);

        await Eventually.Until(() => Task.FromResult(Snapshot(events)), e => e.Any(x => x.Data.Contains("\"waitingForApproval\"", StringComparison.Ordinal)),
            TimeSpan.FromSeconds(30), "an event with the run waiting for approval");
        var approve = await fixture.Api.PostAsync($"/api/v1/task-instances/{id}/steps/0/approve",
            new StringContent("{\"reason\":\"stream test\"}", Encoding.UTF8, "application/json"));
        Assert.True(approve.IsSuccessStatusCode, await approve.Content.ReadAsStringAsync());
        await readAll.WaitAsync(TimeSpan.FromSeconds(30)); // the server ends the stream once the run is final

        var seen = Snapshot(events);
        Assert.Equal("end", seen[^1].Event);
        var states = seen.Where(e => e.Event == "instance").ToList();
        Assert.True(states.Count >= 2, string.Join("\n", states.Select(s => s.Data)));
        Assert.Equal(states.Count, states.Select(s => s.Id).Distinct().Count()); // each event is a change
        var last = JsonDocument.Parse(states[^1].Data).RootElement;
        Assert.Equal("succeeded", last.GetProperty("status").GetString());
        var decision = last.GetProperty("steps")[0].GetProperty("approvals")[0];
        Assert.Equal("admin", decision.GetProperty("by").GetString());
        Assert.Equal("stream test", decision.GetProperty("reason").GetString());

        // Reconnecting with the last event's id: no state is sent again, only the end.
        using var again = new HttpRequestMessage(HttpMethod.Get, $"/api/v1/task-instances/{id}/events");
        again.Headers.Add("Last-Event-ID", states[^1].Id);
        using var second = await fixture.Api.SendAsync(again, HttpCompletionOption.ResponseHeadersRead);
        var text = await second.Content.ReadAsStringAsync().WaitAsync(TimeSpan.FromSeconds(30));
        Assert.DoesNotContain("event: instance", text, StringComparison.Ordinal);
        Assert.Contains("event: end", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Events_UnknownRunOrNoCredential_Refused()
    {
        using var missing = await fixture.Api.GetAsync("/api/v1/task-instances/no-such-run/events");
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
        using var http = Anonymous();
        using var anonymous = await http.GetAsync("/api/v1/task-instances/no-such-run/events");
        Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
        using var viewerMe = await http.SendAsync(new HttpRequestMessage(HttpMethod.Get, "/api/v1/me") { Headers = { Authorization = new AuthenticationHeaderValue("Bearer", (await fixture.NewTokenAsync("val", """{"default": ["viewer"]}""")).Token) } });
        Assert.Equal(HttpStatusCode.OK, viewerMe.StatusCode);
        Assert.Contains("\"principal\":\"val\"", await viewerMe.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    private static List<(string Event, string Id, string Data)> Snapshot(List<(string Event, string Id, string Data)> events)
    {
        lock (events)
        {
            return [.. events];
        }
    }

    private static async Task ReadEventsAsync(StreamReader reader, List<(string Event, string Id, string Data)> events)
    {
        string name = "message", id = "", data = "";
        while (await reader.ReadLineAsync() is { } line)
        {
            if (line.Length == 0)
            {
                if (data.Length > 0)
                {
                    lock (events)
                    {
                        events.Add((name, id, data));
                    }
                }
                (name, data) = ("message", "");
                continue;
            }
            if (line.StartsWith("event: ", StringComparison.Ordinal))
            {
                name = line[7..];
            }
            else if (line.StartsWith("id: ", StringComparison.Ordinal))
            {
                id = line[4..];
            }
            else if (line.StartsWith("data: ", StringComparison.Ordinal))
            {
                data = line[6..];
            }
        }
    }
}
