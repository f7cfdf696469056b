using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Orchestrator.Runtime.Tests.Infrastructure;

namespace Orchestrator.Cli.Tests.Infrastructure;

/// <summary>
/// A real single-node silo process (SQLite, its own local agent as host <c>local</c>) in a fresh folder, and an
/// <see cref="OrchProcess"/> logged in to it (with the silo's admin token when it writes one, <c>data/admin-token</c>).
/// </summary>
public sealed class CliSiloFixture : IAsyncLifetime
{
    private readonly StringBuilder _log = new();
    private Process? _silo;

    public string Folder { get; } = Path.Combine(Path.GetTempPath(), "orch-cli-tests", Guid.NewGuid().ToString("N")[..8]);

    public string Server { get; private set; } = "";

    public OrchProcess Orch { get; private set; } = null!;

    /// <summary>The silo's admin token when it requires one (it writes <c>data/admin-token</c>), else null.</summary>
    public string? Token { get; private set; }

    /// <summary>A folder the plans' scripts may write to (gates).</summary>
    public string Scratch => Path.Combine(Folder, "scratch");

    public string SiloLog
    {
        get
        {
            lock (_log)
            {
                return _log.ToString();
            }
        }
    }

    public async Task InitializeAsync()
    {
        Directory.CreateDirectory(Scratch);
        var data = Path.Combine(Folder, "silo");
        Directory.CreateDirectory(data);
        var port = FreePort();
        Server = $"http://127.0.0.1:{port}";
        var info = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = data,
        };
        foreach (var arg in new[]
        {
            Repo.Built("silo", "Orchestrator.Silo"), "--store", "sqlite", "--connection-string", $"Data Source={data}/orchestrator.db",
            "--urls", Server, "--contentroot", data, "--silo-port", $"{FreePort()}", "--gateway-port", $"{FreePort()}",
        })
        {
            info.ArgumentList.Add(arg);
        }
        foreach (var name in info.Environment.Keys.Where(k => k.StartsWith("ORCH_", StringComparison.Ordinal)).ToList())
        {
            info.Environment.Remove(name);
        }
        _silo = Process.Start(info)!;
        _silo.OutputDataReceived += (_, e) => Append(e.Data);
        _silo.ErrorDataReceived += (_, e) => Append(e.Data);
        _silo.BeginOutputReadLine();
        _silo.BeginErrorReadLine();

        using var http = new HttpClient { BaseAddress = new Uri(Server), Timeout = TimeSpan.FromSeconds(10) };
        await Eventually.Until(() => StatusAsync(http, "/readyz"), s => s == HttpStatusCode.OK || _silo.HasExited, TimeSpan.FromSeconds(90), "the silo ready");
        Assert.False(_silo.HasExited, $"the silo exited:\n{SiloLog}");

        Orch = new OrchProcess(Path.Combine(Folder, "config"));
        var tokenFile = Path.Combine(data, "data", "admin-token");
        Token = File.Exists(tokenFile) ? (await File.ReadAllTextAsync(tokenFile)).Trim() : null;
        var login = await Orch.RunAsync(["login", "--server", Server, .. Token is null ? Array.Empty<string>() : ["--token", Token]]);
        Assert.True(login.ExitCode == 0, login.ToString());
        await Eventually.Until(async () => (await Orch.RunAsync("host", "list")).Stdout, s => s.Contains("local", StringComparison.Ordinal) && s.Contains("online", StringComparison.Ordinal),
            TimeSpan.FromSeconds(60), "the local agent registered");
    }

    public async Task DisposeAsync()
    {
        if (_silo is { HasExited: false })
        {
            _silo.Kill(entireProcessTree: true);
            await _silo.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(20));
        }
        _silo?.Dispose();
        try
        {
            Directory.Delete(Folder, recursive: true);
        }
        catch (IOException)
        {
        }
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

[CollectionDefinition(Name)]
public sealed class CliSiloCollection : ICollectionFixture<CliSiloFixture>
{
    public const string Name = "cli-silo";
}
