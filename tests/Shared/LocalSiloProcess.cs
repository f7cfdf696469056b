using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Orchestrator.Runtime.Tests.Infrastructure;

namespace Orchestrator.Tests.Shared;

/// <summary>
/// A real single-node silo process (SQLite in <c>data</c>, its own local agent as host <c>local</c>) for the test
/// projects that drive the product from outside — the <c>orch</c> CLI's and the web console's. It starts on free ports
/// (again on new ones when a port was taken before the silo bound it), keeps its output (the first 200,000
/// characters), waits until <c>/readyz</c> answers, and is killed on dispose. Compiled into each of those projects
/// (a linked source file), like <c>Eventually</c>.
/// </summary>
public sealed class LocalSiloProcess : IAsyncDisposable
{
    private readonly StringBuilder _log = new();
    private Process _process = null!;

    private LocalSiloProcess()
    {
    }

    /// <summary>The silo's base address, <c>http://127.0.0.1:&lt;port&gt;</c>.</summary>
    public string Server { get; private set; } = "";

    /// <summary>What the silo wrote so far.</summary>
    public string Log
    {
        get
        {
            lock (_log)
            {
                return _log.ToString();
            }
        }
    }

    /// <summary>Starts the silo built at <paramref name="siloDll"/> on SQLite in <paramref name="data"/> and waits until it is ready.</summary>
    public static async Task<LocalSiloProcess> StartAsync(string siloDll, string data)
    {
        var silo = new LocalSiloProcess();
        for (var attempt = 1; ; attempt++)
        {
            silo.Start(siloDll, data);
            using var probe = new HttpClient { BaseAddress = new Uri(silo.Server), Timeout = TimeSpan.FromSeconds(10) };
            await Eventually.Until(() => StatusAsync(probe, "/readyz"), s => s == HttpStatusCode.OK || silo._process.HasExited, TimeSpan.FromSeconds(90), "the silo ready");
            if (!silo._process.HasExited)
            {
                return silo;
            }
            Assert.True(attempt < 3 && silo.Log.Contains("address already in use", StringComparison.OrdinalIgnoreCase), $"the silo exited:\n{silo.Log}");
            silo._process.Dispose();
        }
    }

    private void Start(string siloDll, string data)
    {
        Server = $"http://127.0.0.1:{FreePort()}";
        var info = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = data };
        foreach (var arg in new[]
        {
            siloDll, "--store", "sqlite", "--connection-string", $"Data Source={data}/orchestrator.db",
            "--urls", Server, "--contentroot", data, "--silo-port", $"{FreePort()}", "--gateway-port", $"{FreePort()}",
        })
        {
            info.ArgumentList.Add(arg);
        }
        // The test runner's own ORCH_* settings must not reach the silo.
        foreach (var name in info.Environment.Keys.Where(k => k.StartsWith("ORCH_", StringComparison.Ordinal)).ToList())
        {
            info.Environment.Remove(name);
        }
        _process = Process.Start(info)!;
        _process.OutputDataReceived += (_, e) => Append(e.Data);
        _process.ErrorDataReceived += (_, e) => Append(e.Data);
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(20));
        }
        _process.Dispose();
    }

    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static async Task<HttpStatusCode> StatusAsync(HttpClient http, string path)
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
        catch (TaskCanceledException)
        {
            return 0;
        }
    }

    private void Append(string? line)
    {
        if (line is null)
        {
            return;
        }
        lock (_log)
        {
            if (_log.Length < 200_000)
            {
                _log.AppendLine(line);
            }
        }
    }
}
