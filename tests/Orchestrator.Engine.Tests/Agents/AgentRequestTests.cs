using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Orchestrator.Engine.Tests.EndToEnd;
using Orchestrator.Engine.Tests.Infrastructure;

namespace Orchestrator.Engine.Tests.Agents;

/// <summary>
/// What the agent gateway answers about bodies (empty, white space, not JSON, the wrong type), how much of a bad value
/// it echoes, the times it reads, the size of file an agent may upload, and that a host an agent registers can be
/// read through the REST API. Against the real gateway on PostgreSQL with real agents.
/// </summary>
[Collection(FleetCollection.Name)]
public sealed class AgentRequestTests(FleetFixture fleet)
{
    private const string Session = "0123456789abcdef0123456789abcdef";

    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(60);

    private EngineHarness H => fleet.Harness;

    [Theory]
    [InlineData("", "is required")]
    [InlineData(" \r\n\t ", "only white space")]
    [InlineData("x", "is not valid JSON at line 1, byte 1")]
    [InlineData("{\"sessionId\":", "is not valid JSON")]
    public async Task Body_EmptyWhiteSpaceOrNotJson_IsToldApart(string body, string expected)
    {
        var (status, json) = await PostAsync("register", body);

        Assert.True(status == 400, $"{status} {json}");
        var error = Assert.Single(json!["errors"]!.AsArray())!;
        Assert.Equal("body", error["path"]!.GetValue<string>());
        Assert.Contains(expected, error["message"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.DoesNotContain("LineNumber", json.ToJsonString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Body_NotJsonContentType_Is415WithItsOwnTitle()
    {
        var (status, json) = await PostAsync("heartbeat", "{}", "text/plain; x=" + new string('p', 5000));

        Assert.Equal(415, status);
        Assert.Equal("Unsupported content type.", json!["title"]!.GetValue<string>());
        Assert.Equal("Content-Type", json["errors"]![0]!["path"]!.GetValue<string>());
        Assert.True(json.ToJsonString().Length < 1000, json.ToJsonString());
    }

    [Fact]
    public async Task BadValues_HugeNumberOrLabelKey_AreEchoedCut()
    {
        var key = "k " + new string('k', 100_000);
        var register = $$$"""{"sessionId":"{{{Session}}}","hosts":[{"host":"echo-1","capacity":1,"labels":{"{{{key}}}":"v"}}]}""";
        var poll = $$"""{"sessionId":"{{Session}}","hosts":["echo-1"],"waitMs":{{new string('9', 5000)}},"maxAssignments":1}""";

        var (registered, registerJson) = await PostAsync("register", register);
        var (polled, pollJson) = await PostAsync("poll", poll);

        Assert.Equal((400, 400), (registered, polled));
        var label = registerJson!["errors"]![0]!["path"]!.GetValue<string>();
        Assert.StartsWith("hosts[0].labels['k kkk", label, StringComparison.Ordinal);
        Assert.True(label.Length <= 160, label);
        Assert.Equal("waitMs", pollJson!["errors"]![0]!["path"]!.GetValue<string>());
        Assert.Contains("(5000 characters)", pollJson["errors"]![0]!["message"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.True(registerJson.ToJsonString().Length < 2000 && pollJson.ToJsonString().Length < 2000);
    }

    [Fact]
    public async Task Logs_TimeWithoutAnOffset_IsReadAsUtc()
    {
        var stream = $"i{Guid.NewGuid():N}:0:nohost#1";
        var hourAgo = fleet.Clock.GetUtcNow().AddHours(-1).UtcTicks;
        var at = new DateTimeOffset(hourAgo - hourAgo % TimeSpan.TicksPerSecond, TimeSpan.Zero);
        var text = at.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss", System.Globalization.CultureInfo.InvariantCulture);

        var (status, json) = await PostAsync("logs", $$"""{"sessionId":"{{Session}}","chunks":[{"assignmentId":"{{stream}}","seq":0,"at":"{{text}}","stream":"stdout","text":"x"}]}""");

        Assert.True(status == 200, $"{status} {json}");
        Assert.Equal(at, Assert.Single((await H.Client.Logs.ReadAsync(stream, 0, 10)).Chunks).At);
    }

    [Fact]
    public async Task UploadFile_LargerThanTheServersDefaultBodyLimit_IsStoredThroughTheAgentRoute()
    {
        // Kestrel's own default is 30,000,000 bytes; the upload limit (MaxUploadBytes, 64 MiB) is what applies.
        const long Size = 31L * 1024 * 1024;
        var expected = PatternStream.Sha256Of(Size);
        var source = new PatternStream(Size); // the content owns it
        using var content = new StreamContent(source, 64 * 1024);
        content.Headers.ContentLength = Size;
        content.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
        using var request = new HttpRequestMessage(HttpMethod.Put, "/api/v1/agent/files") { Content = content };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", H.AgentBearer(request.RequestUri!.OriginalString.Replace("/api/v1/agent/", "", StringComparison.Ordinal), Session));

        using var response = await H.Http.SendAsync(request);

        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.Created, $"upload: {(int)response.StatusCode} {body}");
        var stored = JsonNode.Parse(body)!;
        Assert.Equal(Size, stored["size"]!.GetValue<long>());
        Assert.Equal(expected, stored["sha256"]!.GetValue<string>());
    }

    [Fact]
    public async Task Host_RegisteredByAnAgentWithAnUnderscoreFirst_IsReadThroughTheApi()
    {
        const string host = "_build";
        H.StartAgent(host, new Dictionary<string, string> { ["role"] = "build" });
        await H.WaitForHostsAsync(host);
        var plan = await H.PutPlanAsync("""
            name: on-build
            steps:
              - name: hello
                script:
                  source: echo "ran on $ORCH_HOST"
                targets:
                  hosts: [_build]
            """);

        var id = await H.RunAsync(plan);
        var done = await H.WaitForInstanceAsync(id, Wait, "succeeded", "failed");

        Assert.Equal("succeeded", EngineHarness.StatusOf(done));
        var view = JsonNode.Parse(await H.Http.GetStringAsync($"/api/v1/hosts/{host}"))!;
        Assert.Equal("online", view["status"]!.GetValue<string>());
        var target = JsonNode.Parse(await H.Http.GetStringAsync($"/api/v1/task-instances/{id}/steps/0/targets/{host}"))!;
        Assert.Equal("succeeded", target["status"]!.GetValue<string>());
        Assert.Contains("ran on _build", await H.LogTextAsync(id, 0, host), StringComparison.Ordinal);
    }

    private async Task<(int Status, JsonNode? Json)> PostAsync(string endpoint, string body, string contentType = "application/json")
    {
        if (endpoint is "events" or "logs")
        {
            await H.RegisterAgentSessionAsync(Session, "nohost"); // the reports' host, held by this session (and online) as the gateway requires
        }
        using var content = new ByteArrayContent(Encoding.UTF8.GetBytes(body));
        content.Headers.TryAddWithoutValidation("Content-Type", contentType);
        using var request = new HttpRequestMessage(HttpMethod.Post, $"/api/v1/agent/{endpoint}") { Content = content };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", H.AgentBearer(request.RequestUri!.OriginalString.Replace("/api/v1/agent/", "", StringComparison.Ordinal), Session));
        using var response = await H.Http.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        return ((int)response.StatusCode, text.Length > 0 ? JsonNode.Parse(text) : null);
    }

    /// <summary>A read-only stream of <paramref name="length"/> bytes of a fixed pattern, made as it is read: nothing large in memory.</summary>
    private sealed class PatternStream(long length) : Stream
    {
        private long position;

        /// <summary>The SHA-256 of the pattern's first <paramref name="length"/> bytes, read the same way.</summary>
        public static string Sha256Of(long length)
        {
            using var stream = new PatternStream(length);
            return Convert.ToHexStringLower(SHA256.HashData(stream));
        }

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => length;

        public override long Position
        {
            get => position;
            set => throw new NotSupportedException();
        }

        public override int Read(byte[] buffer, int offset, int count)
        {
            var n = (int)Math.Min(count, length - position);
            for (var i = 0; i < n; i++)
            {
                var at = position + i;
                buffer[offset + i] = (byte)((at * 31) ^ (at >> 11));
            }
            position += n;
            return n;
        }

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
