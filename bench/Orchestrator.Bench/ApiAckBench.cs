using System.Diagnostics;
using System.Net;
using System.Text;
using System.Text.Json.Nodes;

namespace Orchestrator.Bench;

/// <summary>
/// How long the REST API takes to acknowledge a command, on Orleans: one real silo process on PostgreSQL, and
/// <c>POST /api/v1/plans/{id}/run</c> sent one at a time. The API answers once the plan grain has persisted the run
/// (<c>DurableGrain</c>: the command and the outbox message that starts the instance in one write), so each figure is
/// HTTP on loopback + one Orleans call + one durable write. The plan's step targets a label no host has: each instance
/// ends at once (failed: no hosts matched), as background work beside the next commands, without agent work.
/// </summary>
internal static class ApiAckBench
{
    private const string PlanId = "ack";

    public static async Task<int> RunAsync(Args args)
    {
        var warmup = args.Int("warmup", 200);
        var calls = args.Int("calls", 2000);
        var siloDll = args.Get("silo-dll");
        var schema = Bench.NewSchema("ack");
        var connection = Bench.WithSchema(args.Get("connection"), schema);
        Process? silo = null;
        try
        {
            (silo, var port) = await Processes.StartSiloAsync(siloDll, connection, "ack0", Guid.NewGuid().ToString("N"));
            using var http = Processes.Authorized(new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}"), Timeout = TimeSpan.FromMinutes(1) });
            using (var plan = new StringContent($"name: {PlanId}\nsteps:\n  - name: noop\n    script: \"true\"\n    targets:\n      selector: bench=none\n", Encoding.UTF8, "application/yaml"))
            using (var put = await http.PutAsync($"/api/v1/plans/{PlanId}", plan))
            {
                put.EnsureSuccessStatusCode();
            }

            for (var i = 0; i < warmup; i++)
            {
                await RunOnceAsync(http);
            }
            var times = new List<double>(calls);
            for (var i = 0; i < calls; i++)
            {
                var started = Stopwatch.GetTimestamp();
                await RunOnceAsync(http);
                times.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
            }
            Report.Figure("ack_p50_ms", Report.Percentile(times, 50), "ms");
            Report.Figure("ack_p99_ms", Report.Percentile(times, 99), "ms");
            Report.Info($"ack: max {times.Max():0.00} ms, mean {times.Average():0.00} ms over {calls} runs after {warmup} warm-up runs");
            // The API answers without the grain's outcome only when its wait (10 s) runs out: such an answer is no ack.
            var unconfirmed = times.Count(t => t >= 10_000);
            if (unconfirmed > 0)
            {
                Report.Failure("ack", $"{unconfirmed} runs were answered when the API's wait ran out, not after the grain's write");
                return 1;
            }
            return 0;
        }
        finally
        {
            if (silo is not null && !silo.HasExited)
            {
                silo.Kill(entireProcessTree: true);
                await silo.WaitForExitAsync();
            }
            await Bench.DropSchemaAsync(connection, schema);
        }
    }

    /// <summary>One run request, answered 202 with the new instance's id once the plan grain has persisted the run.</summary>
    private static async Task RunOnceAsync(HttpClient http)
    {
        using var body = new StringContent("{}", Encoding.UTF8, "application/json");
        using var response = await http.PostAsync($"/api/v1/plans/{PlanId}/run", body);
        if (response.StatusCode != HttpStatusCode.Accepted)
        {
            throw new InvalidOperationException($"run: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        }
        if (JsonNode.Parse(await response.Content.ReadAsStringAsync())?["id"] is null)
        {
            throw new InvalidOperationException("run: 202 without the instance id");
        }
    }
}
