using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using Orchestrator.Engine.Tests.Infrastructure;
using Orchestrator.Runtime.Tests.Infrastructure;
using Xunit.Abstractions;

namespace Orchestrator.Engine.Tests.EndToEnd;

/// <summary>
/// The README's path for a newcomer: the single-node silo process (embedded SQLite, its own local agent) runs the
/// example plan, with nothing else started.
/// </summary>
public sealed class QuickstartTests(ITestOutputHelper output)
{
    [Fact]
    public async Task SingleNodeSilo_RunsTheHelloExampleOnItsLocalAgent()
    {
        var dir = Path.Combine(Path.GetTempPath(), "orch-quickstart", Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(dir);
        var port = EngineHarness.FreePort();
        var info = new ProcessStartInfo("dotnet")
        {
            ArgumentList = { Repo.Built("silo", "Orchestrator.Silo"), "--store", "sqlite", "--connection-string", $"Data Source={dir}/orchestrator.db", "--urls", $"http://127.0.0.1:{port}" },
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = dir,
        };
        using var process = Process.Start(info)!;
        var log = new StringBuilder();
        process.OutputDataReceived += (_, e) => { lock (log) { log.AppendLine(e.Data); } };
        process.ErrorDataReceived += (_, e) => { lock (log) { log.AppendLine(e.Data); } };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var clock = Stopwatch.StartNew();
        try
        {
            using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}") };
            // As the README's curl lines do: the admin token the silo wrote at its first start.
            var tokenFile = Path.Combine(dir, "data", "admin-token");
            await Eventually.Until(async () => await StatusOf(http, "/readyz"), s => s == HttpStatusCode.OK, TimeSpan.FromSeconds(60), "the silo ready");
            http.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", (await File.ReadAllTextAsync(tokenFile)).Trim());
            await Eventually.Until(async () => await StatusOf(http, "/api/v1/hosts/local"), s => s == HttpStatusCode.OK, TimeSpan.FromSeconds(60), "the local agent registered");
            using var plan = new StringContent(await File.ReadAllTextAsync(Repo.Path("examples", "hello.yaml")), Encoding.UTF8, "application/yaml");
            using (var put = await http.PutAsync("/api/v1/plans/hello", plan))
            {
                Assert.Equal(HttpStatusCode.Created, put.StatusCode);
            }
            using var run = await http.PostAsJsonAsync("/api/v1/plans/hello/run", new { });
            Assert.Equal(HttpStatusCode.Accepted, run.StatusCode);
            var id = JsonNode.Parse(await run.Content.ReadAsStringAsync())!["id"]!.GetValue<string>();

            var done = await Eventually.Until(async () => await GetJson(http, $"/api/v1/task-instances/{id}"), i => i?["status"]?.GetValue<string>() is "succeeded" or "failed",
                TimeSpan.FromSeconds(60), "the hello plan finished");

            Assert.Equal("succeeded", done!["status"]!.GetValue<string>());
            Assert.Contains("hello from", await http.GetStringAsync($"/api/v1/task-instances/{id}/steps/0/targets/local/log?format=text"));
            Assert.True(clock.Elapsed < TimeSpan.FromMinutes(1), $"start to finish took {clock.Elapsed}");
            Assert.True(File.Exists(Path.Combine(dir, "data", "agent-token")));
        }
        finally
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
            }
            output.WriteLine(log.ToString());
        }
    }

    private static async Task<HttpStatusCode> StatusOf(HttpClient http, string path)
    {
        try
        {
            using var response = await http.GetAsync(path);
            return response.StatusCode;
        }
        catch (HttpRequestException)
        {
            return 0;
        }
    }

    private static async Task<JsonNode?> GetJson(HttpClient http, string path)
    {
        using var response = await http.GetAsync(path);
        return response.IsSuccessStatusCode ? JsonNode.Parse(await response.Content.ReadAsStringAsync()) : null;
    }
}
