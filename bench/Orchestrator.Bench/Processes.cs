using System.Diagnostics;
using System.Globalization;

namespace Orchestrator.Bench;

/// <summary>Silo and agent processes for the end-to-end suites: start, wait until ready, poll, measure.</summary>
internal static class Processes
{
    internal static Process Start(string dll, params string[] arguments)
    {
        var info = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = Path.GetTempPath() };
        info.ArgumentList.Add(dll);
        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }
        info.Environment["Logging__LogLevel__Default"] = "Warning";
        var process = Process.Start(info)!;
        // Console log entries are "fail: Category[id]" and then the message, indented: keep errors with their message
        // (up to the first stack frame).
        var failing = false;
        process.OutputDataReceived += (_, e) =>
        {
            if (e.Data is not { } line)
            {
                return;
            }
            var entry = line.StartsWith("fail:", StringComparison.Ordinal) || line.StartsWith("crit:", StringComparison.Ordinal);
            failing = entry || (failing && line.StartsWith("      ", StringComparison.Ordinal) && !line.TrimStart().StartsWith("at ", StringComparison.Ordinal));
            if (failing)
            {
                Report.Info(line);
            }
        };
        process.ErrorDataReceived += (_, e) => { if (e.Data is { } line) { Report.Info(line); } };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
    }

    /// <summary>
    /// Starts an Orleans silo process on PostgreSQL (its own free HTTP, silo and gateway ports, no local agent) and waits
    /// until it is ready; <paramref name="extra"/> adds arguments. Returns the process and its HTTP port.
    /// </summary>
    /// <summary>The admin token every silo of a bench run is started with (<c>--admin-token</c>); the bench's HTTP calls send it.</summary>
    internal static readonly string AdminToken = "bench-admin-" + Guid.NewGuid().ToString("N");

    /// <summary>Makes <paramref name="http"/> send the admin token (the REST API requires an authenticated caller).</summary>
    internal static HttpClient Authorized(HttpClient http)
    {
        ArgumentNullException.ThrowIfNull(http);
        http.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", AdminToken);
        return http;
    }

    internal static async Task<(Process Silo, int Port)> StartSiloAsync(string siloDll, string connection, string name, string agentToken, params string[] extra)
    {
        var port = FreePort();
        var silo = Start(siloDll, ["--store", "postgres", "--connection-string", connection, "--silo-name", name,
            "--silo-port", $"{FreePort()}", "--gateway-port", $"{FreePort()}",
            "--urls", $"http://127.0.0.1:{port}", "--local-agent", "false", "--agent-token", agentToken, "--admin-token", AdminToken, .. extra]);
        try
        {
            await WaitReadyAsync(port, silo);
        }
        catch
        {
            silo.Kill(entireProcessTree: true);
            throw;
        }
        return (silo, port);
    }

    /// <summary>
    /// Starts a simulated fleet (<c>Orchestrator.Agent --simulate</c>: hosts <c>sim-00001</c>…, label <c>fleet=sim</c>)
    /// against <paramref name="server"/> and waits until every host is online in the database's host index.
    /// </summary>
    internal static async Task<Process> StartFleetAsync(string agentDll, string server, string agentToken, int hosts, string connection)
    {
        var fleet = Start(agentDll, "--server", server, "--token", agentToken, "--simulate", hosts.ToString(CultureInfo.InvariantCulture), "--host-prefix", "sim-",
            "--label", "fleet=sim");
        var registering = Stopwatch.StartNew();
        try
        {
            await WaitAsync(async () => await FanoutBench.OnlineHostsAsync(connection) >= hosts, TimeSpan.FromMinutes(10), "hosts online");
        }
        catch
        {
            fleet.Kill(entireProcessTree: true);
            throw;
        }
        Report.Info($"{hosts} hosts online after {registering.Elapsed.TotalSeconds:0.0} s");
        return fleet;
    }

    /// <summary>Stores the plan <paramref name="id"/> (one no-op step over the simulated fleet) and waits until it reads back.</summary>
    internal static async Task PutFleetPlanAsync(HttpClient http, string id)
    {
        using (var plan = new StringContent($"name: {id}\nsteps:\n  - name: noop\n    script: \"true\"\n    targets:\n      selector: fleet=sim\n", System.Text.Encoding.UTF8, "application/yaml"))
        using (var put = await http.PutAsync($"/api/v1/plans/{id}", plan))
        {
            put.EnsureSuccessStatusCode();
        }
        // Under a large fleet's background load the save may answer 202 (stored, not yet applied): wait for it.
        await WaitAsync(async () =>
        {
            using var get = await http.GetAsync($"/api/v1/plans/{id}");
            return get.IsSuccessStatusCode;
        }, TimeSpan.FromMinutes(5), "the plan stored");
    }

    internal static async Task WaitReadyAsync(int port, Process process)
    {
        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}") };
        await WaitAsync(async () =>
        {
            if (process.HasExited)
            {
                throw new InvalidOperationException($"silo exited with {process.ExitCode}");
            }
            try
            {
                using var response = await http.GetAsync("/readyz");
                return response.IsSuccessStatusCode;
            }
            catch (HttpRequestException)
            {
                return false;
            }
        }, TimeSpan.FromMinutes(2), "silo ready");
    }

    internal static async Task WaitAsync(Func<Task<bool>> done, TimeSpan timeout, string what)
    {
        var clock = Stopwatch.StartNew();
        while (!await Probe(done))
        {
            if (clock.Elapsed > timeout)
            {
                throw new TimeoutException($"timed out after {timeout} waiting for {what}");
            }
            await Task.Delay(TimeSpan.FromMilliseconds(100), TimeProvider.System); // poll interval
        }
    }

    /// <summary>A probe over HTTP that gets no answer (refused, or past the client's timeout) is "not yet".</summary>
    private static async Task<bool> Probe(Func<Task<bool>> done)
    {
        try
        {
            return await done();
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
        {
            Report.Info($"probe got no answer: {ex.GetBaseException().Message}");
            return false;
        }
    }

    /// <summary>The process's peak resident set (VmHWM) in MB.</summary>
    internal static double PeakMegabytes(int pid)
    {
        var line = File.ReadLines($"/proc/{pid}/status").First(l => l.StartsWith("VmHWM:", StringComparison.Ordinal));
        return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) / 1024.0;
    }

    internal static int FreePort()
    {
        using var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        return ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
    }
}
