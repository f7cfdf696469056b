namespace Orchestrator.Engine.Tests.BadInput;

public static partial class BadInputCases
{
    private const string Agent = "/api/v1/agent";

    /// <summary>A valid agent session id (nothing needs to exist for an envelope to be refused).</summary>
    internal const string Session = "0123456789abcdef0123456789abcdef";

    /// <summary>The agent token's placeholder: the fixture sends the harness's token in its place.</summary>
    public const string AgentToken = "{token}";

    private static BadInputCase AgentSend(string name, string endpoint, string? body, int status, string? field, string? contentType = Json, string token = AgentToken) =>
        Send(name, "POST", $"{Agent}/{endpoint}", body, status, field, contentType) with { Headers = [new("Authorization", "Bearer " + token)] };

    /// <summary>The agent gateway: its own token, and envelopes refused whole naming the field (docs/agent-protocol.md).</summary>
    private static IEnumerable<BadInputCase> AgentCases()
    {
        var register = $$"""{"sessionId":"{{Session}}","agentVersion":"1.0","hosts":[{"host":"bad-input-1","capacity":1}]}""";
        // Truly without: an API token holding the agent role (the admin's does) may register into its namespaces.
        yield return AgentSend("agent register without a token", "register", register, 401, null) with { Headers = [], Anonymous = true };
        yield return AgentSend("agent register with a wrong token", "register", register, 401, null, token: "not-the-token");
        yield return AgentSend("agent register body not JSON", "register", "x", 400, "body");
        yield return AgentSend("agent register body empty", "register", "", 400, "body");
        yield return AgentSend("agent register body white space", "register", "   \n", 400, "body");
        yield return AgentSend("agent register as text/plain", "register", register, 415, "Content-Type", "text/plain");
        yield return AgentSend("agent register capacity -1", "register", register.Replace("\"capacity\":1", "\"capacity\":-1", StringComparison.Ordinal), 400, "hosts[0].capacity");
        yield return AgentSend("agent register host starting with a dash", "register", register.Replace("bad-input-1", "-x", StringComparison.Ordinal), 400, "hosts[0].host");
        yield return AgentSend("agent register label key of 100000 characters", "register",
            register.Replace("\"capacity\":1", "\"capacity\":1,\"labels\":{\"" + Repeat('k', 100_000) + "\":\"v\"}", StringComparison.Ordinal), 400, null);
        yield return AgentSend("agent heartbeat session with a space", "heartbeat", """{"sessionId":"a b","hosts":["bad-input-1"]}""", 400, "sessionId");
        yield return AgentSend("agent poll waitMs negative", "poll", $$"""{"sessionId":"{{Session}}","hosts":["bad-input-1"],"waitMs":-1,"maxAssignments":1}""", 400, "waitMs");
        yield return AgentSend("agent events not an array", "events", "{\"sessionId\":\"" + Session + "\",\"events\":{}}", 400, "events");
        yield return AgentSend("agent poll waitMs of 5000 digits", "poll", $$"""{"sessionId":"{{Session}}","hosts":["bad-input-1"],"waitMs":{{Repeat('9', 5000)}},"maxAssignments":1}""", 400, "waitMs");
        yield return new BadInputCase("agent file download short sha256", "GET", $"{Agent}/files/abc", 400, "sha256") { Headers = [new("Authorization", "Bearer " + AgentToken)] };
    }

    /// <summary>Schedules of a plan and the schedules list and preview.</summary>
    private static IEnumerable<BadInputCase> ScheduleCases()
    {
        const string Schedule = "/api/v1/plans/{plan}/schedules/bad-input";
        yield return Send("schedule time zone naming a folder", "PUT", Schedule, """{"cron":"0 9 * * *","timeZone":"America"}""", 400, "timeZone");
        yield return Send("schedule cron not cron", "PUT", Schedule, """{"cron":"every day at nine"}""", 400, "cron");
        yield return Send("schedule misspelt cron", "PUT", Schedule, """{"crn":"0 9 * * *"}""", 400, "crn");
        yield return Send("schedule empty JSON body", "PUT", Schedule, "", 400, "body");
        yield return Send("schedule on a plan id with a space", "PUT", "/api/v1/plans/a%20b/schedules/s", """{"cron":"0 9 * * *"}""", 400, "planId");
        yield return Send("schedule preview from year one", "POST", "/api/v1/schedules/preview", """{"cron":"0 9 * * *","from":"0001-01-01T00:00:00Z"}""", 400, "from");
        yield return Send("schedule preview in a folder zone", "POST", "/api/v1/schedules/preview", """{"cron":"0 9 * * *","timeZone":"Europe"}""", 400, "timeZone");
        yield return Get("schedules list limit negative", "/api/v1/schedules?limit=-1", 400, "limit");
    }
}
