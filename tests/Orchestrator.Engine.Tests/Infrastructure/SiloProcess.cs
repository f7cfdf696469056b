using System.Diagnostics;
using System.Net;
using System.Runtime.InteropServices;
using System.Text;
using Orchestrator.Runtime.Tests.Infrastructure;

namespace Orchestrator.Engine.Tests.Infrastructure;

/// <summary>
/// A real silo process (<c>Orchestrator.Silo</c> as its own project built it) on free ports (HTTP, Orleans silo and
/// gateway), with its data under
/// <see cref="DataDirectory"/> (its working directory and content root: <c>data/orchestrator.db</c>,
/// <c>data/agent-token</c>, <c>data/jobs-secret</c>, <c>data/admin-token</c>). Started again on the same directory, it
/// finds its data. <see cref="Http"/> sends the admin token: <c>--admin-token</c> if the arguments give one, else
/// <see cref="SharedAdminToken"/> on PostgreSQL (every process of a cluster must accept the same one), else (SQLite) the
/// one the silo generated into <c>data/admin-token</c>, read once it is ready.
/// </summary>
public sealed class SiloProcess : IAsyncDisposable
{
    public const int Sigint = 2;
    public const int Sigterm = 15;

    private readonly Process _process;
    private readonly StringBuilder _log = new();

    /// <summary>The admin token the tests' PostgreSQL silos and API processes are started with, unless they give one.</summary>
    public const string SharedAdminToken = "engine-tests-admin-token-0123456789";

    private SiloProcess(Process process, string dataDirectory, int port, string? adminToken)
    {
        _process = process;
        DataDirectory = dataDirectory;
        Port = port;
        Http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}"), Timeout = TimeSpan.FromSeconds(30) };
        if (adminToken is not null)
        {
            UseAdminToken(adminToken);
        }
    }

    /// <summary>The admin token <see cref="Http"/> sends; null until known (a SQLite silo's generated one: once ready).</summary>
    public string? AdminToken { get; private set; }

    private void UseAdminToken(string token)
    {
        AdminToken = token;
        Http.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", token);
    }

    /// <summary>The admin token from <c>data/admin-token</c>, once the silo wrote it.</summary>
    private void ReadGeneratedAdminToken()
    {
        var file = Path.Combine(DataDirectory, "data", "admin-token");
        if (AdminToken is null && File.Exists(file))
        {
            UseAdminToken(File.ReadAllText(file).Trim());
        }
    }

    public string DataDirectory { get; }

    public int Port { get; }

    public HttpClient Http { get; }

    public bool HasExited => _process.HasExited;

    /// <summary>The process id (to signal it: freeze with SIGSTOP, resume with SIGCONT).</summary>
    public int Pid => _process.Id;

    /// <summary>Everything the process printed so far.</summary>
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

    /// <summary>A new data directory under the temp folder.</summary>
    public static string NewDataDirectory(string prefix)
    {
        var directory = Path.Combine(Path.GetTempPath(), "orch-silo-tests", prefix + "-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(directory);
        return directory;
    }

    /// <summary>Starts the silo in <paramref name="dataDirectory"/> with <paramref name="args"/> (SQLite by default).</summary>
    public static SiloProcess Start(string dataDirectory, params string[] args) => StartOnPort(dataDirectory, EngineHarness.FreePort(), args);

    /// <summary>Starts the silo with these environment variables besides the machine's (whose <c>ORCH_*</c> are removed).</summary>
    public static SiloProcess Start(string dataDirectory, IReadOnlyDictionary<string, string> environment, params string[] args) =>
        StartOnPort(dataDirectory, EngineHarness.FreePort(), environment, args);

    /// <summary>How much of the process's output <see cref="Log"/> keeps.</summary>
    public const int MaxLogChars = 2_000_000;

    /// <summary>
    /// Starts the silo on the HTTP port <paramref name="port"/>: a silo started again where its agents (and its
    /// predecessor) were, so that they find it there.
    /// </summary>
    public static SiloProcess StartOnPort(string dataDirectory, int port, params string[] args) =>
        StartOnPort(dataDirectory, port, new Dictionary<string, string>(), args);

    private static SiloProcess StartOnPort(string dataDirectory, int port, IReadOnlyDictionary<string, string> environment, string[] args)
    {
        var info = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = dataDirectory,
        };
        info.ArgumentList.Add(Repo.Built("silo", "Orchestrator.Silo"));
        // Orleans' ports too: silos of tests running at once must not meet on the defaults (11111, 30000).
        string[] ports = args.Contains("--silo-port") ? [] : ["--silo-port", $"{EngineHarness.FreePort()}", "--gateway-port", $"{EngineHarness.FreePort()}"];
        var given = Array.IndexOf(args, "--admin-token");
        var adminToken = given >= 0 && given + 1 < args.Length ? args[given + 1] : args.Contains("postgres") ? SharedAdminToken : null;
        string[] admin = given < 0 && adminToken is not null ? ["--admin-token", adminToken] : [];
        foreach (var arg in args.Concat(ports).Concat(admin).Concat(["--urls", $"http://127.0.0.1:{port}", "--contentroot", dataDirectory]))
        {
            info.ArgumentList.Add(arg);
        }
        // The machine's ORCH_* settings are not this test's.
        foreach (var name in info.Environment.Keys.Where(k => k.StartsWith("ORCH_", StringComparison.Ordinal)).ToList())
        {
            info.Environment.Remove(name);
        }
        foreach (var (name, value) in environment)
        {
            info.Environment[name] = value;
        }
        var process = Process.Start(info)!;
        var silo = new SiloProcess(process, dataDirectory, port, adminToken);
        process.OutputDataReceived += (_, e) => silo.Append(e.Data);
        process.ErrorDataReceived += (_, e) => silo.Append(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return silo;
    }

    /// <summary>Waits until <c>/readyz</c> answers 200 (the silo is active in Orleans' membership).</summary>
    public async Task WaitReadyAsync()
    {
        await WaitForStatusAsync("/readyz", "the silo ready");
        ReadGeneratedAdminToken();
    }

    /// <summary>Waits until <paramref name="host"/> has registered (its agent is polling).</summary>
    public async Task WaitForHostAsync(string host)
    {
        await WaitForStatusAsync("/readyz", "the silo ready");
        ReadGeneratedAdminToken();
        await WaitForStatusAsync($"/api/v1/hosts/{host}", $"host {host} registered");
    }

    /// <summary>Waits until the process has printed <paramref name="text"/>.</summary>
    public Task WaitForLogAsync(string text) =>
        Eventually.Until(() => Task.FromResult(Log.Contains(text, StringComparison.Ordinal) || _process.HasExited), x => x, TimeSpan.FromSeconds(60), $"'{text}' in the silo's output");

    /// <summary>
    /// Sends <paramref name="signal"/> (and <paramref name="again"/>, each 200 ms after the one before, as an
    /// impatient operator does), then waits for the exit: the exit status and how long it took from the first signal.
    /// </summary>
    public async Task<(int ExitCode, TimeSpan Elapsed)> StopAsync(int signal = Sigterm, params int[] again)
    {
        var started = Stopwatch.StartNew();
        Assert.Equal(0, Kill(_process.Id, signal));
        foreach (var next in again)
        {
            await Task.Delay(TimeSpan.FromMilliseconds(200));
            if (!_process.HasExited)
            {
                Kill(_process.Id, next);
            }
        }
        await _process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(60));
        return (_process.ExitCode, started.Elapsed);
    }

    /// <summary>Waits for the process to exit by itself (a start refused for its configuration): its exit status.</summary>
    public async Task<(int ExitCode, string Log)> WaitForExitAsync()
    {
        await _process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(60));
        return (_process.ExitCode, Log);
    }

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(10));
        }
        _process.Dispose();
    }

    private async Task WaitForStatusAsync(string path, string what)
    {
        await Eventually.Until(async () => _process.HasExited ? HttpStatusCode.Gone : await StatusAsync(path), s => s is HttpStatusCode.OK or HttpStatusCode.Gone,
            TimeSpan.FromSeconds(60), what);
        if (_process.HasExited)
        {
            Assert.Fail($"the silo exited ({_process.ExitCode}) while waiting for {what}:\n{Log}");
        }
    }

    private async Task<HttpStatusCode> StatusAsync(string path)
    {
        try
        {
            using var response = await Http.GetAsync(path);
            return response.StatusCode;
        }
        catch (HttpRequestException)
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
            if (_log.Length < MaxLogChars)
            {
                _log.AppendLine(line);
            }
        }
    }

    [DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static extern int Kill(int pid, int signal);
}
