using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Runtime.Versioning;
using System.Text.Json.Nodes;
using Orchestrator.Engine.Tests.Infrastructure;
using Orchestrator.Runtime.Tests.Infrastructure;
using Xunit.Abstractions;

namespace Orchestrator.Engine.Tests.Hosting;

/// <summary>
/// The single-node silo's secrets, on the real process: with none configured it generates an agent token and a
/// jobs secret at its first start into owner-only files beside its data and reuses both on later starts (before,
/// the token was new on every start, which locked out remote agents, and the jobs API was open to anyone who
/// reached the port). The jobs API answers only to the secret.
/// </summary>
[UnsupportedOSPlatform("windows")] // file modes are POSIX
public sealed class SiloSecretsTests(ITestOutputHelper output) : IAsyncLifetime
{
    private const UnixFileMode OwnerOnly = UnixFileMode.UserRead | UnixFileMode.UserWrite;
    private readonly List<SiloProcess> _silos = [];

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        foreach (var silo in _silos)
        {
            output.WriteLine($"--- silo on port {silo.Port} ---");
            output.WriteLine(silo.Log);
            await silo.DisposeAsync();
        }
    }

    [Fact]
    public async Task FirstStart_WritesOwnerOnlyTokenAndJobsSecret_TheJobsApiNeedsIt_AndARestartReusesBoth()
    {
        var data = SiloProcess.NewDataDirectory("secrets");
        var tokenFile = Path.Combine(data, "data", "agent-token");
        var secretFile = Path.Combine(data, "data", "jobs-secret");
        var silo = Start(data);
        await silo.WaitForHostAsync("local");

        Assert.Equal(OwnerOnly, File.GetUnixFileMode(tokenFile));
        Assert.Equal(OwnerOnly, File.GetUnixFileMode(secretFile));
        var token = File.ReadAllText(tokenFile).Trim();
        var secret = File.ReadAllText(secretFile).Trim();
        Assert.Matches("^[0-9a-f]{64}$", secret);
        Assert.DoesNotContain(secret, silo.Log, StringComparison.Ordinal);
        Assert.DoesNotContain(token, silo.Log, StringComparison.Ordinal);

        // No header, a wrong secret: 401 in Harbor's shape. The right one: the script job runs on the local agent.
        var job = new { job = new { name = "script", parameters = new { host = "local", script = "echo ran-through-the-jobs-api" }, metadata = new { kind = "Generic" } } };
        using (var none = await silo.Http.PostAsJsonAsync("/api/v1/jobs", job))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, none.StatusCode);
            Assert.Equal(401, JsonNode.Parse(await none.Content.ReadAsStringAsync())!["code"]!.GetValue<int>());
        }
        Assert.Equal(HttpStatusCode.Unauthorized, await SubmitStatusAsync(silo, job, "not-" + secret));
        var id = await SubmitAsync(silo, job, secret);
        await Eventually.Until(() => JobStatusAsync(silo, id, secret), s => s is "Success" or "Error" or "Stopped", TimeSpan.FromSeconds(60), "the script job finished");
        Assert.Equal("Success", await JobStatusAsync(silo, id, secret));

        Assert.Equal(0, (await silo.StopAsync()).ExitCode);
        var again = Start(data);
        await again.WaitReadyAsync();

        Assert.Equal(token, File.ReadAllText(tokenFile).Trim());
        Assert.Equal(secret, File.ReadAllText(secretFile).Trim());
        Assert.Equal(OwnerOnly, File.GetUnixFileMode(secretFile));
        Assert.Contains($"read from {secretFile}", again.Log, StringComparison.Ordinal);
        Assert.Equal("Success", await JobStatusAsync(again, id, secret));
        // A remote agent holding the token from the first start is still accepted.
        using var register = new HttpRequestMessage(HttpMethod.Post, "/api/v1/agent/register")
        {
            Content = JsonContent.Create(new { sessionId = "remote-session", agentVersion = "test", hosts = new[] { new { host = "remote-1", labels = new { }, capacity = 1 } } }),
        };
        register.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        using var registered = await again.Http.SendAsync(register);
        Assert.Equal(HttpStatusCode.OK, registered.StatusCode);
        Assert.Equal(0, (await again.StopAsync()).ExitCode);
    }

    private SiloProcess Start(string data)
    {
        var silo = SiloProcess.Start(data, "--shutdown-drain-timeout", "00:00:05");
        _silos.Add(silo);
        return silo;
    }

    private static async Task<HttpStatusCode> SubmitStatusAsync(SiloProcess silo, object job, string secret)
    {
        using var response = await silo.Http.SendAsync(Authorized(HttpMethod.Post, "/api/v1/jobs", secret, JsonContent.Create(job)));
        return response.StatusCode;
    }

    private static async Task<string> SubmitAsync(SiloProcess silo, object job, string secret)
    {
        using var response = await silo.Http.SendAsync(Authorized(HttpMethod.Post, "/api/v1/jobs", secret, JsonContent.Create(job)));
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.Accepted, $"submit: {(int)response.StatusCode} {body}");
        return JsonNode.Parse(body)!["job"]!["id"]!.GetValue<string>();
    }

    private static async Task<string?> JobStatusAsync(SiloProcess silo, string id, string secret)
    {
        using var response = await silo.Http.SendAsync(Authorized(HttpMethod.Get, $"/api/v1/jobs/{id}", secret));
        return response.IsSuccessStatusCode ? JsonNode.Parse(await response.Content.ReadAsStringAsync())!["job"]!["status"]!.GetValue<string>() : null;
    }

    private static HttpRequestMessage Authorized(HttpMethod method, string path, string secret, HttpContent? content = null)
    {
        var request = new HttpRequestMessage(method, path) { Content = content };
        request.Headers.TryAddWithoutValidation("Authorization", "Harbor-Secret " + secret);
        return request;
    }
}
