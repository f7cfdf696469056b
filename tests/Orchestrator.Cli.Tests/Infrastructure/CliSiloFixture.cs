using System.Net;
using Orchestrator.Runtime.Tests.Infrastructure;
using Orchestrator.Tests.Shared;

namespace Orchestrator.Cli.Tests.Infrastructure;

/// <summary>
/// A real single-node silo process (SQLite, its own local agent as host <c>local</c>) in a fresh folder, and an
/// <see cref="OrchProcess"/> logged in to it (with the silo's admin token when it writes one, <c>data/admin-token</c>).
/// </summary>
public sealed class CliSiloFixture : IAsyncLifetime
{
    private LocalSiloProcess? _silo;

    public string Folder { get; } = Path.Combine(Path.GetTempPath(), "orch-cli-tests", Guid.NewGuid().ToString("N")[..8]);

    public string Server { get; private set; } = "";

    public OrchProcess Orch { get; private set; } = null!;

    /// <summary>The silo's admin token when it requires one (it writes <c>data/admin-token</c>), else null.</summary>
    public string? Token { get; private set; }

    /// <summary>A folder the plans' scripts may write to (gates).</summary>
    public string Scratch => Path.Combine(Folder, "scratch");

    public string SiloLog => _silo?.Log ?? "";

    public async Task InitializeAsync()
    {
        Directory.CreateDirectory(Scratch);
        var data = Path.Combine(Folder, "silo");
        Directory.CreateDirectory(data);
        _silo = await LocalSiloProcess.StartAsync(Repo.Built("silo", "Orchestrator.Silo"), data);
        Server = _silo.Server;

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
        if (_silo is not null)
        {
            await _silo.DisposeAsync();
        }
        try
        {
            Directory.Delete(Folder, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}

[CollectionDefinition(Name)]
public sealed class CliSiloCollection : ICollectionFixture<CliSiloFixture>
{
    public const string Name = "cli-silo";
}
