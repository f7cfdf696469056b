using System.Text.Json.Nodes;
using Orchestrator.Engine.Tests.Infrastructure;

namespace Orchestrator.Engine.Tests.EndToEnd;

/// <summary>
/// Script output is arbitrary bytes (issue #9): on PostgreSQL, with a real agent, a script printing NUL and invalid
/// UTF-8 ends, its log reads back with the documented replacements (NUL as U+2400, invalid UTF-8 as U+FFFD), an
/// output holding a NUL is kept, and the host runs its next plan. Before, the log store refused the NUL, the agent
/// resent the batch forever, the target stayed running and the host never ran anything again.
/// </summary>
[Collection(FleetCollection.Name)]
public sealed class LogBytesTests(FleetFixture fleet)
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(60);

    private EngineHarness H => fleet.Harness;

    [Fact]
    public async Task Script_PrintingNulAndInvalidUtf8_EndsAndItsLogReadsBack_AndTheHostRunsTheNextPlan()
    {
        var plan = await H.PutPlanAsync("""
            name: bytes
            steps:
              - name: bytes
                script:
                  source: |
                    printf 'a\000b\n'
                    printf 'lone \377 byte, cut \342\202 sequence, whole \360\237\230\200\n'
                    printf '::set-output v=x\000y\n'
                    printf 'no newline \342'
                targets:
                  hosts: [db-1]
              - name: reads
                script:
                  source: echo "got ${{ steps.bytes.outputs.v }}"
                targets:
                  hosts: [db-1]
            """);
        var id = await H.RunAsync(plan);

        var done = await H.WaitForInstanceAsync(id, Wait, "succeeded", "failed", "cancelled");

        Assert.Equal("succeeded", EngineHarness.StatusOf(done));
        const string expected = "a\u2400b\nlone \ufffd byte, cut \ufffd sequence, whole \U0001F600\n::set-output v=x\u2400y\nno newline \ufffd";
        Assert.Equal(expected, await H.LogTextAsync(id, 0, "db-1"));
        var log = JsonNode.Parse(await H.Http.GetStringAsync($"/api/v1/task-instances/{id}/steps/0/targets/db-1/log"))!;
        Assert.True(log["complete"]!.GetValue<bool>(), $"log not complete: {log}");
        Assert.Equal(expected, string.Concat(log["chunks"]!.AsArray().Select(c => c!["text"]!.GetValue<string>())));
        Assert.Equal("x\u2400y", done["steps"]![0]!["outputs"]!["v"]!.GetValue<string>());
        Assert.Equal("got x\u2400y\n", await H.LogTextAsync(id, 1, "db-1"));

        // The host is not wedged: its next run starts and ends.
        var next = await H.PutPlanAsync("""
            name: next
            steps:
              - name: next
                script:
                  source: echo next run
                targets:
                  hosts: [db-1]
            """);
        var nextId = await H.RunAsync(next);
        var nextDone = await H.WaitForInstanceAsync(nextId, Wait, "succeeded", "failed", "cancelled");
        Assert.Equal("succeeded", EngineHarness.StatusOf(nextDone));
        Assert.Equal("next run\n", await H.LogTextAsync(nextId, 0, "db-1"));
    }
}
