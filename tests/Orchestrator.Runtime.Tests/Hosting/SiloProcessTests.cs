using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Npgsql;
using Orchestrator.Runtime.Tests.Infrastructure;
using Xunit.Abstractions;

namespace Orchestrator.Runtime.Tests.Hosting;

/// <summary>The real silo process: configured by arguments, ready on /readyz, and on SIGTERM it hands its shards off and exits 0.</summary>
public sealed class SiloProcessTests(ITestOutputHelper output) : IAsyncLifetime
{
    private readonly TestSchema _schema = new();

    public Task InitializeAsync() => Task.CompletedTask;

    public Task DisposeAsync() => _schema.DisposeAsync().AsTask();

    [Fact]
    public async Task Silo_OnSigterm_ReleasesItsShardsAndExitsCleanly()
    {
        var port = FreePort();
        var silo = typeof(Orchestrator.Silo.SiloConfiguration).Assembly.Location;
        var start = new ProcessStartInfo("dotnet")
        {
            ArgumentList = { silo, "--store", "postgres", "--connection-string", _schema.ConnectionString, "--shard-count", "8", "--silo-name", "proc", "--agent-token", "proc-token",
                "--urls", $"http://127.0.0.1:{port}" },
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = Path.GetTempPath(),
        };
        using var process = Process.Start(start)!;
        var log = new System.Text.StringBuilder();
        process.OutputDataReceived += (_, e) => { lock (log) { log.AppendLine(e.Data); } };
        process.ErrorDataReceived += (_, e) => { lock (log) { log.AppendLine(e.Data); } };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        try
        {
            using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}") };
            await Eventually.Until(async () => await Status(http, "/readyz"), s => s == HttpStatusCode.OK, TimeSpan.FromSeconds(60), "the silo ready");
            Assert.Equal(HttpStatusCode.OK, await Status(http, "/healthz"));
            Assert.Equal(8, await OwnedShards());

            Assert.Equal(0, Kill(process.Id, 15)); // SIGTERM
            await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(60));

            Assert.Equal(0, process.ExitCode);
            Assert.Equal(0, await OwnedShards()); // handed off, not left to expire
            Assert.Equal(1, await SilosWithStatus(3)); // marked dead: this generation never comes back
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

    private async Task<long> OwnedShards() => await Scalar("SELECT count(*) FROM orch_shard_lease WHERE owner_silo IS NOT NULL");

    private async Task<long> SilosWithStatus(int status) => await Scalar($"SELECT count(*) FROM orch_silo WHERE status = {status}");

    private async Task<long> Scalar(string sql)
    {
        await using var connection = new NpgsqlConnection(_schema.ConnectionString);
        await connection.OpenAsync();
        await using var cmd = new NpgsqlCommand(sql, connection);
        return (long)(await cmd.ExecuteScalarAsync())!;
    }

    private static async Task<HttpStatusCode> Status(HttpClient http, string path)
    {
        try
        {
            return (await http.GetAsync(path)).StatusCode;
        }
        catch (HttpRequestException)
        {
            return 0;
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    [System.Runtime.InteropServices.DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static extern int Kill(int pid, int signal);
}
