using Orchestrator.Agent.Protocol;
using Orchestrator.Agent.Tests.Infrastructure;

namespace Orchestrator.Agent.Tests.Execution;

public sealed class ScriptAssignmentTests
{
    [Fact]
    public async Task Script_ExitsZero_ReportsSucceededWithOutputsProgressAndLog()
    {
        await using var harness = await AgentHarness.StartAsync();
        var assignment = harness.Script("""
            echo "hello from $ORCH_HOST as $ORCH_ASSIGNMENT_ID"
            echo "::progress 30% warming up"
            echo "::set-output answer=42"
            echo "arg=$1 env=$GREETING token=${ORCH_AGENT_TOKEN:-none}"
            echo "to stderr" >&2
            """, args: ["first"], env: new Dictionary<string, string> { ["GREETING"] = "hi" });

        var finished = await harness.EnqueueAndWaitAsync(assignment);

        Assert.Equal(AgentOutcome.Succeeded, finished.Outcome);
        Assert.Equal(0, finished.ExitCode);
        Assert.Equal("42", finished.Outputs?["answer"]);
        Assert.NotNull(finished.StartedAt);
        var events = harness.Server.Events(assignment.Id);
        Assert.Equal(AgentEventType.Started, events[0].Type);
        var progress = Assert.Single(events, e => e.Type == AgentEventType.Progress);
        Assert.Equal(30, progress.Percent);
        Assert.Equal("warming up", progress.Message);
        var stdout = harness.Server.Log(assignment.Id, "stdout");
        Assert.Contains($"hello from {harness.Host} as {assignment.Id}\n", stdout, StringComparison.Ordinal);
        Assert.Contains("arg=first env=hi token=none\n", stdout, StringComparison.Ordinal);
        Assert.Equal("to stderr\n", harness.Server.Log(assignment.Id, "stderr"));
        Assert.Equal(finished.LogChunks, harness.Server.Chunks(assignment.Id).Count);
    }

    [Fact]
    public async Task Script_PrintsArbitraryBytes_ReportsThemInTheDocumentedTextForm()
    {
        await using var harness = await AgentHarness.StartAsync();
        // Starts like a UTF-16 byte order mark (which must not switch the decoding), then NUL, a lone 0xff, a cut
        // 3-byte sequence, a 4-byte character, an escape sequence, and an output holding a NUL.
        var assignment = harness.Script("""
            printf '\377\376A\000B\n'
            printf 'x\377y \342\202 z \360\237\230\200 \033[1mbold\033[0m\n'
            printf '::set-output v=a\000b\n'
            printf 'end \342\202'
            """);

        var finished = await harness.EnqueueAndWaitAsync(assignment);

        Assert.Equal(AgentOutcome.Succeeded, finished.Outcome);
        Assert.Equal(
            "\ufffd\ufffdA\u2400B\nx\ufffdy \ufffd z \U0001F600 \u001b[1mbold\u001b[0m\n::set-output v=a\u2400b\nend \ufffd",
            harness.Server.Log(assignment.Id, "stdout"));
        Assert.Equal("a\u2400b", finished.Outputs?["v"]);
    }

    [Fact]
    public async Task Script_ExitsNonZero_ReportsFailedWithExitCode()
    {
        await using var harness = await AgentHarness.StartAsync();
        var assignment = harness.Script("echo oops >&2\nexit 3");

        var finished = await harness.EnqueueAndWaitAsync(assignment);

        Assert.Equal(AgentOutcome.Failed, finished.Outcome);
        Assert.Equal(3, finished.ExitCode);
        Assert.Equal("oops\n", harness.Server.Log(assignment.Id, "stderr"));
    }

    [Fact]
    public async Task Script_Python3_RunsWithArgumentsAndOutputs()
    {
        await using var harness = await AgentHarness.StartAsync();
        var assignment = harness.Script("""
            import os, sys
            print("python sees", sys.argv[1], os.environ["ORCH_ASSIGNMENT_ID"])
            print("::progress 100% done")
            print("::set-output sum=" + str(sum(range(10))))
            """, interpreter: "python3", args: ["an-arg"]);

        var finished = await harness.EnqueueAndWaitAsync(assignment);

        Assert.Equal(AgentOutcome.Succeeded, finished.Outcome);
        Assert.Equal("45", finished.Outputs?["sum"]);
        Assert.Contains($"python sees an-arg {assignment.Id}\n", harness.Server.Log(assignment.Id, "stdout"), StringComparison.Ordinal);
        Assert.Contains(harness.Server.Events(assignment.Id), e => e is { Type: AgentEventType.Progress, Percent: 100 });
    }

    [Fact]
    public async Task Script_WithSecrets_MasksThemInLogsOutputsAndProgress()
    {
        await using var harness = await AgentHarness.StartAsync();
        var assignment = harness.Script("""
            echo "password is $PASSWORD, twice: $PASSWORD"
            echo "$PASSWORD" >&2
            echo "::set-output leaked=pre-$PASSWORD-post"
            echo "::progress 50% using $PASSWORD"
            """, env: new Dictionary<string, string> { ["PASSWORD"] = "s3cr3t-v4lue" }, secrets: ["s3cr3t-v4lue"]);

        var finished = await harness.EnqueueAndWaitAsync(assignment);

        var log = harness.Server.Log(assignment.Id);
        Assert.DoesNotContain("s3cr3t", log, StringComparison.Ordinal);
        Assert.Contains("password is ***, twice: ***\n", log, StringComparison.Ordinal);
        Assert.Equal("***\n", harness.Server.Log(assignment.Id, "stderr"));
        Assert.Equal("pre-***-post", finished.Outputs?["leaked"]);
        Assert.Contains(harness.Server.Events(assignment.Id), e => e is { Type: AgentEventType.Progress, Message: "using ***" });
    }

    [Fact]
    public async Task Script_WithAOneCharacterSecret_LeavesTheLogReadableAndSaysSo()
    {
        await using var harness = await AgentHarness.StartAsync();
        var assignment = harness.Script("""echo "a value, and another value" """, secrets: ["a"]);

        await harness.EnqueueAndWaitAsync(assignment);

        Assert.Equal("a value, and another value\n", harness.Server.Log(assignment.Id, "stdout"));
        Assert.Contains("fewer than 4 characters and are not masked", harness.Server.Log(assignment.Id, "system"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Script_InterpreterMissing_ReportsErrorWithReason()
    {
        await using var harness = await AgentHarness.StartAsync();
        var assignment = harness.Script("print 1", interpreter: "no-such-interpreter-x");

        var finished = await harness.EnqueueAndWaitAsync(assignment);

        Assert.Equal(AgentOutcome.Error, finished.Outcome);
        Assert.Null(finished.StartedAt);
        Assert.Contains("'no-such-interpreter-x' was not found", harness.Server.Log(assignment.Id, "system"), StringComparison.Ordinal);
        Assert.DoesNotContain(harness.Server.Events(assignment.Id), e => e.Type == AgentEventType.Started);
    }

    [Fact]
    public async Task Script_DeliveredAgainAfterFinishing_IsIgnored()
    {
        await using var harness = await AgentHarness.StartAsync();
        var marker = Path.Combine(harness.Directory, "runs.txt");
        var assignment = harness.Script($"echo run >> '{marker}'");
        await harness.EnqueueAndWaitAsync(assignment);

        harness.Server.Enqueue(assignment);
        await Eventually.True(() => harness.Server.Queued(harness.Host) == 0, "the repeat to be delivered");
        var pollsAfterDelivery = harness.Server.Polls().Count;
        // Two more polls: the agent has handled the answer that carried the repeat and asked again, twice.
        await Eventually.True(() => harness.Server.Polls().Count >= pollsAfterDelivery + 2, "two more polls");

        Assert.Equal(["run"], File.ReadAllLines(marker));
        Assert.Single(harness.Server.Events(assignment.Id), e => e.Type == AgentEventType.Finished);
        Assert.DoesNotContain(harness.Server.Polls()[^1].Running, id => id == assignment.Id);
    }
}
