using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using Orchestrator.Engine.Tests.EndToEnd;
using Orchestrator.Engine.Tests.Infrastructure;
using Orchestrator.Runtime.Tests.Infrastructure;

namespace Orchestrator.Engine.Tests.Agents;

/// <summary>
/// The agent protocol refuses bad input with the field named (docs/agent-protocol.md, "Limits"): an envelope that
/// breaks a rule is a 400 problem listing the field's JSON path; an item of an /events or /logs batch that breaks one
/// is refused alone in a 200 (<c>refused[].field</c>), the others stored. Against the real gateway on PostgreSQL.
/// </summary>
[Collection(FleetCollection.Name)]
public sealed class AgentGatewayValidationTests(FleetFixture fleet)
{
    private const string Session = "0123456789abcdef0123456789abcdef";

    private EngineHarness H => fleet.Harness;

    private static string Now => DateTimeOffset.UtcNow.ToString("O");

    /// <summary>An assignment id of the form the server makes (nothing needs to exist for a chunk to be stored).</summary>
    private static string AssignmentId(string host = "nohost") => $"i{Guid.NewGuid():N}:0:{host}#1";

    private static string Hosts(string host = "web-1", string capacity = "4", string labels = "{}") =>
        $$"""[{"host":"{{host}}","labels":{{labels}},"capacity":{{capacity}}}]""";

    private static string Register(string hosts, string session = $"\"{Session}\"", string version = "\"1.0\"") =>
        $$"""{"sessionId":{{session}},"agentVersion":{{version}},"hosts":{{hosts}}}""";

    private static string Poll(string waitMs = "1000", string max = "1", string running = "[]", string hosts = """["web-1"]""") =>
        $$"""{"sessionId":"{{Session}}","hosts":{{hosts}},"running":{{running}},"waitMs":{{waitMs}},"maxAssignments":{{max}}}""";

    public static TheoryData<string, string, string, int, string> EnvelopeCases()
    {
        var longText = new string('x', 129);
        var labels65 = "{" + string.Join(",", Enumerable.Range(0, 65).Select(i => $"\"k{i}\":\"v\"")) + "}";
        return new()
        {
            { "register", Register(Hosts(capacity: "-1")), "application/json", 400, "hosts[0].capacity" },
            { "register", Register(Hosts(capacity: "0")), "application/json", 400, "hosts[0].capacity" },
            { "register", Register(Hosts(capacity: "10001")), "application/json", 400, "hosts[0].capacity" },
            { "register", Register(Hosts(capacity: "\"4\"")), "application/json", 400, "hosts[0].capacity" },
            { "register", Register(Hosts(capacity: "2.5")), "application/json", 400, "hosts[0].capacity" },
            { "register", Register("""[{"host":"web-1","labels":{}}]"""), "application/json", 400, "hosts[0].capacity" },
            { "register", Register(Hosts(), session: "null"), "application/json", 400, "sessionId" },
            { "register", Register(Hosts(), session: $"\"{longText}\""), "application/json", 400, "sessionId" },
            { "register", Register(Hosts(), session: "\"has space\""), "application/json", 400, "sessionId" },
            { "register", Register(Hosts(), session: "\"\""), "application/json", 400, "sessionId" },
            { "register", Register(Hosts(host: new string('h', 254))), "application/json", 400, "hosts[0].host" },
            { "register", Register(Hosts(host: "a b")), "application/json", 400, "hosts[0].host" },
            { "register", Register(Hosts(host: "nul\\u0000")), "application/json", 400, "hosts[0].host" },
            { "register", Register("[]"), "application/json", 400, "hosts" },
            { "register", Register("{}"), "application/json", 400, "hosts" },
            { "register", $$"""{"sessionId":"{{Session}}"}""", "application/json", 400, "hosts" },
            { "register", Register("""[{"host":"web-1","capacity":1},{"host":"web-1","capacity":1}]"""), "application/json", 400, "hosts[1].host" },
            { "register", Register(Hosts(labels: """{"has space":"v"}""")), "application/json", 400, "hosts[0].labels['has space']" },
            { "register", Register(Hosts(labels: $$"""{"k":"{{new string('v', 64)}}"}""")), "application/json", 400, "hosts[0].labels.k" },
            { "register", Register(Hosts(labels: """{"k":"-v"}""")), "application/json", 400, "hosts[0].labels.k" },
            { "register", Register(Hosts(labels: """{"k":5}""")), "application/json", 400, "hosts[0].labels.k" },
            { "register", Register(Hosts(labels: labels65)), "application/json", 400, "hosts[0].labels" },
            { "register", Register(Hosts(), version: $"\"{new string('1', 65)}\""), "application/json", 400, "agentVersion" },
            { "register", Register(Hosts(), version: "\"1\\n2\""), "application/json", 400, "agentVersion" },
            { "register", "{\"sessionId\":", "application/json", 400, "body" },
            { "register", "", "application/json", 400, "body" },
            { "register", "[1,2]", "application/json", 400, "body" },
            { "register", Register(Hosts()), "text/plain", 415, "Content-Type" },
            { "heartbeat", $$"""{"sessionId":"{{Session}}","hosts":[""],"draining":false}""", "application/json", 400, "hosts[0]" },
            { "heartbeat", $$"""{"sessionId":"{{Session}}","hosts":[],"draining":false}""", "application/json", 400, "hosts" },
            { "heartbeat", $$"""{"sessionId":"{{Session}}","hosts":["web-1"],"draining":"yes"}""", "application/json", 400, "draining" },
            { "heartbeat", """{"hosts":["web-1"]}""", "application/json", 400, "sessionId" },
            { "poll", Poll(waitMs: "-1"), "application/json", 400, "waitMs" },
            { "poll", Poll(waitMs: "300001"), "application/json", 400, "waitMs" },
            { "poll", Poll(waitMs: "1.5"), "application/json", 400, "waitMs" },
            { "poll", Poll(waitMs: "null"), "application/json", 400, "waitMs" },
            { "poll", Poll(max: "-1"), "application/json", 400, "maxAssignments" },
            { "poll", Poll(max: "2147483648"), "application/json", 400, "maxAssignments" },
            { "poll", Poll(running: "[5]"), "application/json", 400, "running[0]" },
            { "poll", Poll(running: "\"a\""), "application/json", 400, "running" },
            { "poll", Poll(hosts: "[\"web 1\"]"), "application/json", 400, "hosts[0]" },
            { "events", $$"""{"sessionId":"{{Session}}"}""", "application/json", 400, "events" },
            { "events", """{"events":[]}""", "application/json", 400, "sessionId" },
            { "events", $$"""{"sessionId":"{{Session}}","events":[{{string.Join(",", Enumerable.Repeat("{}", 1001))}}]}""", "application/json", 400, "events" },
            { "events", "{\"sessionId\":\"" + Session + "\",\"events\":{}}", "application/json", 400, "events" },
            { "logs", $$"""{"sessionId":"{{Session}}"}""", "application/json", 400, "chunks" },
            { "logs", $$"""{"sessionId":"{{Session}}","chunks":[{{string.Join(",", Enumerable.Repeat("{}", 1001))}}]}""", "application/json", 400, "chunks" },
            { "logs", "not json", "application/json", 400, "body" },
        };
    }

    [Theory]
    [MemberData(nameof(EnvelopeCases))]
    public async Task Request_BadEnvelope_IsRefusedNamingTheField(string endpoint, string body, string contentType, int status, string field)
    {
        var (code, json) = await PostAsync(endpoint, body, contentType);

        Assert.True(code == status, $"{endpoint} {Shorten(body)}: expected {status}, got {code} {json}");
        var paths = json?["errors"]?.AsArray().Select(e => e!["path"]!.GetValue<string>()).ToList() ?? [];
        Assert.True(paths.Contains(field), $"{endpoint} {Shorten(body)}: expected the field '{field}' named, got [{string.Join(", ", paths)}] in {json}");
    }

    public static TheoryData<string, string> EventCases()
    {
        string Event(string fields) => "{\"assignmentId\":\"" + AssignmentId() + "\",\"type\":\"progress\",\"at\":\"" + Now + "\"" + fields + "}";
        var outputs101 = "{" + string.Join(",", Enumerable.Range(0, 101).Select(i => $"\"o{i}\":\"v\"")) + "}";
        return new()
        {
            { Event(",\"type\":\"exploded\""), "events[0].type" },
            { "{\"assignmentId\":\"" + AssignmentId() + "\",\"at\":\"" + Now + "\"}", "events[0].type" },
            { Event(",\"at\":\"yesterday\""), "events[0].at" },
            { Event(",\"percent\":101"), "events[0].percent" },
            { Event(",\"percent\":-1"), "events[0].percent" },
            { Event(",\"type\":\"finished\""), "events[0].outcome" },
            { Event(",\"type\":\"finished\",\"outcome\":\"exploded\""), "events[0].outcome" },
            { Event(",\"message\":\"" + new string('m', 8193) + "\""), "events[0].message" },
            { Event(",\"type\":\"finished\",\"outcome\":\"succeeded\",\"outputs\":{\"a b\":\"v\"}"), "events[0].outputs" },
            { Event(",\"type\":\"finished\",\"outcome\":\"succeeded\",\"outputs\":{\"v\":\"" + new string('v', 65537) + "\"}"), "events[0].outputs.v" },
            { Event(",\"type\":\"finished\",\"outcome\":\"succeeded\",\"outputs\":" + outputs101), "events[0].outputs" },
            { Event(",\"logChunks\":-1"), "events[0].logChunks" },
            { Event(",\"uploadedSha256\":\"xyz\""), "events[0].uploadedSha256" },
            { "{\"assignmentId\":\"nope\",\"type\":\"started\",\"at\":\"" + Now + "\"}", "events[0].assignmentId" },
            { "{\"assignmentId\":\"i:0:web-1#0\",\"type\":\"started\",\"at\":\"" + Now + "\"}", "events[0].assignmentId" },
            { "{\"assignmentId\":\"i:0:web-1\\u0000#1\",\"type\":\"started\",\"at\":\"" + Now + "\"}", "events[0].assignmentId" },
            { "5", "events[0]" },
        };
    }

    [Theory]
    [MemberData(nameof(EventCases))]
    public async Task Events_BadItem_IsRefusedAloneNamingTheField(string badEvent, string field)
    {
        var good = "{\"assignmentId\":\"" + AssignmentId() + "\",\"type\":\"progress\",\"at\":\"" + Now + "\",\"percent\":5}";

        var (code, json) = await PostAsync("events", $$"""{"sessionId":"{{Session}}","events":[{{badEvent}},{{good}}]}""");

        Assert.True(code == 200, $"expected 200, got {code} {json}");
        Assert.Equal(1, json!["accepted"]!.GetValue<int>());
        var refused = Assert.Single(json["refused"]!.AsArray());
        Assert.Equal((0, field), (refused!["index"]!.GetValue<int>(), refused["field"]!.GetValue<string>()));
        Assert.Contains(field, refused["reason"]!.GetValue<string>(), StringComparison.Ordinal);
    }

    public static TheoryData<string, string> ChunkCases()
    {
        string Chunk(string fields) => "{\"assignmentId\":\"" + AssignmentId() + "\",\"seq\":0,\"at\":\"" + Now + "\",\"stream\":\"stdout\",\"text\":\"x\"" + fields + "}";
        return new()
        {
            { Chunk(",\"seq\":-1"), "chunks[0].seq" },
            { Chunk(",\"seq\":2147483648"), "chunks[0].seq" },
            { Chunk(",\"seq\":\"0\""), "chunks[0].seq" },
            { Chunk(",\"text\":null"), "chunks[0].text" },
            { Chunk(",\"text\":\"" + new string('t', 1024 * 1024 + 1) + "\""), "chunks[0].text" },
            { Chunk(",\"stream\":\"stdweird\""), "chunks[0].stream" },
            { Chunk(",\"stream\":null"), "chunks[0].stream" },
            { Chunk(",\"assignmentId\":\"i:0:web-1\\u0000#1\""), "chunks[0].assignmentId" },
            { Chunk(",\"assignmentId\":\"" + new string('a', 600) + ":0:h#1\""), "chunks[0].assignmentId" },
            { "[]", "chunks[0]" },
        };
    }

    [Theory]
    [MemberData(nameof(ChunkCases))]
    public async Task Logs_BadChunk_IsRefusedAloneNamingTheField(string badChunk, string field)
    {
        var stream = AssignmentId();
        var good = "{\"assignmentId\":\"" + stream + "\",\"seq\":0,\"at\":\"" + Now + "\",\"stream\":\"stdout\",\"text\":\"kept\\n\"}";

        var (code, json) = await PostAsync("logs", $$"""{"sessionId":"{{Session}}","chunks":[{{badChunk}},{{good}}]}""");

        Assert.True(code == 200, $"expected 200, got {code} {json}");
        Assert.Equal(1, json!["accepted"]!.GetValue<int>());
        var refused = Assert.Single(json["refused"]!.AsArray());
        Assert.Equal((0, field), (refused!["index"]!.GetValue<int>(), refused["field"]!.GetValue<string>()));
        Assert.Equal(["kept\n"], (await H.Client.Logs.ReadAsync(stream, 0, 10)).Chunks.Select(c => c.Text));
    }

    [Fact]
    public async Task Logs_MoreTextThanARequestMayHold_IsRefusedNamingChunks()
    {
        var text = new string('t', 1024 * 1024);
        var chunks = string.Join(",", Enumerable.Range(0, 9).Select(i =>
            "{\"assignmentId\":\"" + AssignmentId() + "\",\"seq\":" + i + ",\"at\":\"" + Now + "\",\"stream\":\"stdout\",\"text\":\"" + text + "\"}"));

        var (code, json) = await PostAsync("logs", $$"""{"sessionId":"{{Session}}","chunks":[{{chunks}}]}""");

        Assert.True(code == 400, $"expected 400, got {code}");
        Assert.Contains("chunks", json!["errors"]!.AsArray().Select(e => e!["path"]!.GetValue<string>()));
    }

    [Fact]
    public async Task Logs_AnyBytesInTheText_AreStoredWithTheDocumentedReplacements()
    {
        var stream = AssignmentId();
        // Escaped NUL, escaped lone surrogates, an escaped pair, raw invalid UTF-8 (0xff) and a raw 4-byte character.
        var prefix = Encoding.UTF8.GetBytes($$"""{"sessionId":"{{Session}}","chunks":[{"assignmentId":"{{stream}}","seq":0,"at":"{{Now}}","stream":"stdout","text":"a\u0000b \ud800 \udc00 \ud83d\ude00 """);
        byte[] body = [.. prefix, 0xFF, (byte)' ', .. Encoding.UTF8.GetBytes("𝄞\"}]}")];
        using var content = new ByteArrayContent(body);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json");

        var (code, json) = await SendAsync("logs", content);

        Assert.True(code == 200, $"expected 200, got {code} {json}");
        Assert.Equal(1, json!["accepted"]!.GetValue<int>());
        Assert.Equal(["a\u2400b \ufffd \ufffd \U0001F600 \ufffd 𝄞"], (await H.Client.Logs.ReadAsync(stream, 0, 10)).Chunks.Select(c => c.Text));
    }

    [Theory]
    [InlineData("2100-01-01T00:00:00Z")]
    [InlineData("0001-01-01T00:00:00Z")]
    [InlineData("1970-01-01T00:00:00Z")]
    public async Task Logs_TimeFromAHostWhoseClockIsOff_IsStoredWithTheServersTime(string at)
    {
        // Refusing a report for its host's clock would leave the target unable to end; the time is informational.
        var stream = AssignmentId();
        var clock = H.Clock!; // the server's clock: what "received at" means
        var before = clock.GetUtcNow();

        var (code, json) = await PostAsync("logs", $$"""{"sessionId":"{{Session}}","chunks":[{"assignmentId":"{{stream}}","seq":0,"at":"{{at}}","stream":"stdout","text":"x"}]}""");

        Assert.True(code == 200, $"expected 200, got {code} {json}");
        Assert.Equal(1, json!["accepted"]!.GetValue<int>());
        var chunk = Assert.Single((await H.Client.Logs.ReadAsync(stream, 0, 10)).Chunks);
        Assert.InRange(chunk.At, before - TimeSpan.FromMilliseconds(1), clock.GetUtcNow()); // stores keep microseconds
    }

    [Fact]
    public async Task Events_TimeFromAHostWhoseClockIsOff_IsAccepted()
    {
        var events = $$"""[{"assignmentId":"{{AssignmentId()}}","type":"progress","at":"3000-01-01T00:00:00Z","percent":5,"startedAt":"9999-12-31T23:59:59Z"}]""";

        var (code, json) = await PostAsync("events", $$"""{"sessionId":"{{Session}}","events":{{events}}}""");

        Assert.True(code == 200, $"expected 200, got {code} {json}");
        Assert.Equal(1, json!["accepted"]!.GetValue<int>());
        Assert.Empty(json["refused"]?.AsArray() ?? []);
    }

    [Fact]
    public async Task Register_CapacityMinusOne_ChangesNothingAndTheHostStillRunsPlans()
    {
        var (code, _) = await PostAsync("register", Register(Hosts(host: "web-1", capacity: "-1"), session: "\"intruder\""));
        Assert.Equal(400, code);

        var host = JsonNode.Parse(await H.Http.GetStringAsync("/api/v1/hosts/web-1"))!;
        Assert.Equal(("online", 4), (host["status"]!.GetValue<string>(), host["capacity"]!.GetValue<int>()));
        var plan = await H.PutPlanAsync("""
            name: after-bad-register
            steps:
              - name: hello
                script:
                  source: echo still here
                targets:
                  hosts: [web-1]
            """);
        var done = await H.WaitForInstanceAsync(await H.RunAsync(plan), TimeSpan.FromSeconds(60), "succeeded", "failed");
        Assert.Equal("succeeded", EngineHarness.StatusOf(done));
    }

    private async Task<(int Status, JsonNode? Json)> PostAsync(string endpoint, string body, string contentType = "application/json")
    {
        using var content = new ByteArrayContent(Encoding.UTF8.GetBytes(body));
        content.Headers.ContentType = new MediaTypeHeaderValue(contentType);
        return await SendAsync(endpoint, content);
    }

    private async Task<(int Status, JsonNode? Json)> SendAsync(string endpoint, HttpContent content)
    {
        if (endpoint is "events" or "logs")
        {
            await H.RegisterAgentSessionAsync(Session, "nohost"); // the reports' host, held by this session (and online) as the gateway requires
        }
        using var request = new HttpRequestMessage(HttpMethod.Post, $"/api/v1/agent/{endpoint}") { Content = content };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", H.AgentBearer(request.RequestUri!.OriginalString.Replace("/api/v1/agent/", "", StringComparison.Ordinal), Session));
        using var response = await H.Http.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        JsonNode? json = null;
        try
        {
            json = text.Length > 0 ? JsonNode.Parse(text) : null;
        }
        catch (System.Text.Json.JsonException)
        {
            // Not JSON: the assertion shows the status.
        }
        Assert.NotEqual(HttpStatusCode.InternalServerError, response.StatusCode);
        return ((int)response.StatusCode, json);
    }

    private static string Shorten(string body) => body.Length <= 200 ? body : body[..200] + "…";
}
