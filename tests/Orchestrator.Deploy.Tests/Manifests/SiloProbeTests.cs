using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Orchestrator.Deploy.Tests.Infrastructure;
using Orchestrator.Runtime.Tests.Infrastructure;

namespace Orchestrator.Deploy.Tests.Manifests;

/// <summary>The probe paths of the manifests are served: requested from a real silo process (single node, SQLite).</summary>
public sealed class SiloProbeTests
{
    [Fact]
    public async Task ProbePaths_OfEveryManifest_AreServedByARealSilo()
    {
        var paths = ProbeAndPortTests.ProbePaths();
        Assert.Equal(["/healthz", "/readyz"], paths.Order(StringComparer.Ordinal));
        var directory = Directory.CreateTempSubdirectory("orch-deploy-silo-").FullName;
        var port = FreePort();
        var info = new ProcessStartInfo("dotnet") { WorkingDirectory = directory, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in new[] { Repo.Built("silo", "Orchestrator.Silo"), "--urls", $"http://127.0.0.1:{port}", "--contentroot", directory,
                     "--silo-port", $"{FreePort()}", "--gateway-port", $"{FreePort()}", "--local-agent", "false" })
        {
            info.ArgumentList.Add(arg);
        }
        foreach (var name in info.Environment.Keys.Where(k => k.StartsWith("ORCH_", StringComparison.Ordinal) || k == "KUBERNETES_SERVICE_HOST").ToList())
        {
            info.Environment.Remove(name);
        }
        var log = new StringBuilder();
        using var process = Process.Start(info)!;
        process.OutputDataReceived += (_, e) => { lock (log) { log.AppendLine(e.Data); } };
        process.ErrorDataReceived += (_, e) => { lock (log) { log.AppendLine(e.Data); } };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        try
        {
            using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}"), Timeout = TimeSpan.FromSeconds(10) };
            // Up to 2 minutes: a silo's start on a busy machine. A process that exits stops the wait at once.
            var answers = await Eventually.Until(async () =>
            {
                var seen = new Dictionary<string, HttpStatusCode?>();
                foreach (var path in paths)
                {
                    seen[path] = await Status(http, path);
                }
                return seen;
            }, seen => process.HasExited || seen.Values.All(s => s == HttpStatusCode.OK), TimeSpan.FromMinutes(2), "every probe path answering 200");
            if (process.HasExited || answers.Values.Any(s => s != HttpStatusCode.OK))
            {
                Assert.Fail($"Not every probe path answered 200: {string.Join(", ", answers.Select(a => $"{a.Key} {a.Value?.ToString() ?? "no answer"}"))}; exited: {process.HasExited}.\n{Log()}");
            }
            Assert.NotEqual(HttpStatusCode.OK, await Status(http, "/no-such-probe")); // 200 above is the route, not a catch-all
        }
        finally
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
                await process.WaitForExitAsync();
            }
            Directory.Delete(directory, recursive: true);
        }

        string Log()
        {
            lock (log)
            {
                return log.ToString();
            }
        }
    }

    private static async Task<HttpStatusCode?> Status(HttpClient http, string path)
    {
        try
        {
            using var response = await http.GetAsync(path);
            return response.StatusCode;
        }
        catch (HttpRequestException)
        {
            return null; // not listening yet
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
