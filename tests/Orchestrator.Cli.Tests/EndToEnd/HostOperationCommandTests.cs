using System.Text.Json;
using Orchestrator.Cli.Tests.Infrastructure;

namespace Orchestrator.Cli.Tests.EndToEnd;

/// <summary><c>orch host pause|resume|drain</c> and the OPERATION column of <c>orch host list</c>, on the silo's local agent.</summary>
[Collection(CliSiloCollection.Name)]
public sealed class HostOperationCommandTests(CliSiloFixture silo) : CliTestBase(silo)
{
    [Fact]
    public async Task HostPauseDrainResume_ShownInHostList_DrainOfAnIdleHostIsDrained()
    {
        try
        {
            var pause = await Orch.RunAsync("host", "pause", "local");
            var pausedList = await Orch.RunAsync("host", "list");
            var drain = await Orch.RunAsync("host", "drain", "local", "-o", "json");
            var unknown = await Orch.RunAsync("host", "pause", NewId("never-"));

            Assert.True(pause.ExitCode == 0, pause.ToString());
            Assert.Contains("host local paused", pause.Stdout);
            Assert.True(pausedList.ExitCode == 0, pausedList.ToString());
            Assert.Contains("OPERATION", pausedList.Stdout);
            Assert.Contains("paused", pausedList.Stdout);
            Assert.True(drain.ExitCode == 0, drain.ToString());
            Assert.Equal("drained", JsonDocument.Parse(drain.Stdout).RootElement.GetProperty("operation").GetString()); // nothing runs on it
            Assert.Equal(3, unknown.ExitCode);
            Assert.Contains("has registered", unknown.Stderr);
        }
        finally
        {
            var resume = await Orch.RunAsync("host", "resume", "local");
            Assert.True(resume.ExitCode == 0, resume.ToString());
            Assert.Contains("host local resumed", resume.Stdout);
        }
        var list = await Orch.RunAsync("host", "list", "-o", "json");
        Assert.Contains(JsonDocument.Parse(list.Stdout).RootElement.EnumerateArray(),
            h => h.GetProperty("host").GetString() == "local" && h.GetProperty("operation").GetString() == "active");
    }
}
