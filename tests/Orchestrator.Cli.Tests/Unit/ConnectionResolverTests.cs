using Orchestrator.Cli.App;
using Orchestrator.Cli.Config;
using Orchestrator.Cli.Plans;

namespace Orchestrator.Cli.Tests.Unit;

public sealed class ConnectionResolverTests
{
    private static readonly CliConfig Config = new()
    {
        Current = "prod",
        Contexts =
        [
            new CliContext { Name = "prod", Server = "https://prod:5080", Token = "prod-token" },
            new CliContext { Name = "lab", Server = "http://lab:5080", Token = "lab-token" },
        ],
    };

    private static Dictionary<string, string?> Env(string? server = null, string? token = null, string? context = null) =>
        new() { ["ORCH_SERVER"] = server, ["ORCH_TOKEN"] = token, ["ORCH_CONTEXT"] = context };

    [Fact]
    public void Resolve_NothingGiven_CurrentContext()
    {
        var c = ConnectionResolver.Resolve(Config, null, null, null, Env());

        Assert.Equal(new Uri("https://prod:5080"), c.Server);
        Assert.Equal("prod-token", c.Token);
    }

    [Fact]
    public void Resolve_ContextFlag_WinsOverEnvironmentContext()
    {
        var c = ConnectionResolver.Resolve(Config, null, null, "lab", Env(context: "prod"));

        Assert.Equal("lab-token", c.Token);
    }

    [Fact]
    public void Resolve_EnvironmentServerAndToken_OverrideContext()
    {
        var c = ConnectionResolver.Resolve(Config, null, null, null, Env("http://other:1", "env-token"));

        Assert.Equal(new Uri("http://other:1"), c.Server);
        Assert.Equal("env-token", c.Token);
    }

    [Fact]
    public void Resolve_Flags_OverrideEnvironment()
    {
        var c = ConnectionResolver.Resolve(Config, "http://flag:2", "flag-token", null, Env("http://other:1", "env-token"));

        Assert.Equal(new Uri("http://flag:2"), c.Server);
        Assert.Equal("flag-token", c.Token);
    }

    [Fact]
    public void Resolve_NoServerAnywhere_UsageErrorNamingLogin()
    {
        var e = Assert.Throws<CliException>(() => ConnectionResolver.Resolve(new CliConfig(), null, null, null, Env()));

        Assert.Equal(ExitCodes.Usage, e.ExitCode);
        Assert.Contains("orch login", e.Message);
    }

    [Fact]
    public void Resolve_UnknownContext_NamesKnownOnes()
    {
        var e = Assert.Throws<CliException>(() => ConnectionResolver.Resolve(Config, null, null, "staging", Env()));

        Assert.Contains("known: prod, lab", e.Message);
    }

    [Fact]
    public void Resolve_NotHttp_NamesWhereItCameFrom()
    {
        var e = Assert.Throws<CliException>(() => ConnectionResolver.Resolve(Config, null, null, null, Env("ftp://x")));

        Assert.Contains("from ORCH_SERVER", e.Message);
    }
}

/// <summary>The namespace a command uses: -n, then ORCH_NAMESPACE, then the context's; none when none is given.</summary>
public sealed class NamespaceResolutionTests
{
    private static readonly CliConfig Config = new()
    {
        Current = "team",
        Contexts = [new CliContext { Name = "team", Server = "http://team:5080", Namespace = "team-a" }, new CliContext { Name = "bare", Server = "http://bare:5080" }],
    };

    private static Dictionary<string, string?> Env(string? ns = null) => new() { ["ORCH_NAMESPACE"] = ns };

    [Fact]
    public void Resolve_Flag_BeatsEnvironmentAndContext() =>
        Assert.Equal("x", ConnectionResolver.Resolve(Config, null, null, null, Env("y"), "x").Namespace);

    [Fact]
    public void Resolve_Environment_BeatsContext() =>
        Assert.Equal("y", ConnectionResolver.Resolve(Config, null, null, null, Env("y")).Namespace);

    [Fact]
    public void Resolve_ContextsNamespace_WhenNoneGiven() =>
        Assert.Equal("team-a", ConnectionResolver.Resolve(Config, null, null, null, Env()).Namespace);

    [Fact]
    public void Resolve_ContextWithout_None() =>
        Assert.Null(ConnectionResolver.Resolve(Config, null, null, "bare", Env()).Namespace);

    [Fact]
    public void Resolve_BadEnvironmentNamespace_NamesIt()
    {
        var error = Assert.Throws<CliException>(() => ConnectionResolver.Resolve(Config, null, null, null, Env("Team_A")));

        Assert.Contains("'Team_A' is not a namespace", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void PlanText_WithoutTopLevel_DropsOnlyThatTopLevelField()
    {
        const string text = "name: p\nnamespace: a\nsteps:\n- name: s\n  namespace: kept\n";

        Assert.True(PlanText.HasTopLevel(text, "namespace"));
        Assert.Equal("a", PlanText.TopLevelValue(text, "namespace"));
        Assert.Null(PlanText.TopLevelValue("name: p\n", "namespace"));
        Assert.Equal("name: p\nsteps:\n- name: s\n  namespace: kept\n", PlanText.WithoutTopLevel(text, "namespace"));
        Assert.False(PlanText.HasTopLevel(PlanText.WithoutTopLevel(text, "namespace"), "namespace"));
    }
}
