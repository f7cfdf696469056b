using System.Text.Json;
using Orchestrator.Cli.App;
using Orchestrator.Cli.Output;
using Orchestrator.Client;
using Spectre.Console;

namespace Orchestrator.Cli.Tests.Unit;

public sealed class RendererTests
{
    private static readonly InstanceSummary Summary = new("hello", 2, "Hello", ExecutionStatus.WaitingForApproval, DateTimeOffset.UnixEpoch, null);

    private static string Render(OutputFormat format)
    {
        var stdout = new StringWriter();
        var terminal = new Terminal(stdout, new StringWriter(), interactive: false);
        new Renderer(format, terminal.Out, stdout).Write(Summary, console => console.WriteLine("table"));
        return stdout.ToString().ReplaceLineEndings("\n");
    }

    [Fact]
    public void Write_Json_ApiNamesAndCamelCaseStatusWithoutNulls()
    {
        var json = JsonDocument.Parse(Render(OutputFormat.Json)).RootElement;

        Assert.Equal("waitingForApproval", json.GetProperty("status").GetString());
        Assert.Equal("hello", json.GetProperty("planId").GetString());
        Assert.False(json.TryGetProperty("finishedAt", out _));
    }

    [Fact]
    public void Write_Yaml_SameNamesAsJson()
    {
        var yaml = Render(OutputFormat.Yaml);

        Assert.Contains("planId: hello\n", yaml);
        Assert.Contains("planVersion: 2\n", yaml);
        Assert.Contains("status: waitingForApproval\n", yaml);
    }

    [Fact]
    public void Write_Table_CallsTheTable() => Assert.Equal("table\n", Render(OutputFormat.Table));

    [Fact]
    public void Terminal_NotInteractive_NoEscapeCodes()
    {
        var stdout = new StringWriter();
        new Terminal(stdout, new StringWriter(), interactive: false).Out.MarkupLine("[red]failed[/]");

        Assert.Equal("failed\n", stdout.ToString().ReplaceLineEndings("\n"));
    }
}
