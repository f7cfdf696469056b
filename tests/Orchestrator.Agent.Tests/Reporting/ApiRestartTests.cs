using Orchestrator.Agent.Protocol;
using Orchestrator.Agent.Tests.Infrastructure;

namespace Orchestrator.Agent.Tests.Reporting;

public sealed class ApiRestartTests
{
    [Fact]
    public async Task Logs_ApiRestartsMidStream_ArriveCompleteInOrderWithoutDuplicates()
    {
        await using var harness = await AgentHarness.StartAsync(o => o.OutputFlushInterval = TimeSpan.FromMilliseconds(20));
        var half = Path.Combine(harness.Directory, "half");
        var resume = Path.Combine(harness.Directory, "resume");
        var done = Path.Combine(harness.Directory, "done");
        var assignment = harness.Script($"""
            i=1
            while [ $i -le 200 ]; do
              echo "line $i"
              if [ $i -eq 100 ]; then
                touch '{half}'
                while [ ! -e '{resume}' ]; do sleep 0.02; done
              fi
              if [ $((i % 10)) -eq 0 ]; then sleep 0.03; fi
              i=$((i+1))
            done
            echo "::set-output lines=200"
            touch '{done}'
            """);
        harness.Server.Enqueue(assignment);
        await Eventually.True(() => harness.Server.Log(assignment.Id).Contains("line 100\n", StringComparison.Ordinal), "the first half of the log");

        await harness.Server.StopAsync();
        await File.WriteAllTextAsync(resume, "");
        // The second half is written while the API is down: the agent must hold it and resend.
        await Eventually.True(() => File.Exists(done), "the script to finish while the API is down");
        await harness.Server.StartAsync();
        var finished = await harness.Server.WaitForFinishedAsync(assignment.Id);

        Assert.Equal(AgentOutcome.Succeeded, finished.Outcome);
        Assert.Equal("200", finished.Outputs?["lines"]);
        var chunks = harness.Server.Chunks(assignment.Id);
        Assert.Equal(Enumerable.Range(0, chunks.Count).Select(i => (long)i), chunks.Select(c => c.Seq));
        Assert.Equal(finished.LogChunks, chunks.Count);
        var expected = string.Concat(Enumerable.Range(1, 200).Select(i => $"line {i}\n")) + "::set-output lines=200\n";
        Assert.Equal(expected, harness.Server.Log(assignment.Id, "stdout"));
        var registrations = harness.Server.Registrations();
        Assert.True(registrations.Count >= 2, $"expected a re-registration after the outage, saw {registrations.Count}");
        Assert.All(registrations, r => Assert.Equal(harness.Runner!.SessionId, r.SessionId));
    }

    [Fact]
    public async Task Agent_StartedBeforeApi_RegistersOnceApiComesUp()
    {
        await using var harness = await AgentHarness.StartServerAsync();
        await harness.Server.StopAsync();
        harness.StartAgent();
        var assignment = harness.Script("echo up");
        harness.Server.Enqueue(assignment);

        await harness.Server.StartAsync();
        var finished = await harness.Server.WaitForFinishedAsync(assignment.Id);

        Assert.Equal(AgentOutcome.Succeeded, finished.Outcome);
        Assert.Equal(harness.Runner!.SessionId, harness.Server.Registrations()[0].SessionId);
    }
}
