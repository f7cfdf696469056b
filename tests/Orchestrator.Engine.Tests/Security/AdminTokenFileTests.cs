using System.Net;
using Orchestrator.Engine.Tests.Infrastructure;

namespace Orchestrator.Engine.Tests.Security;

/// <summary>The single-node silo makes its admin token at the first start, keeps it owner-only, and never logs it.</summary>
public sealed class AdminTokenFileTests : IAsyncLifetime
{
    private SiloProcess _silo = null!;

    public Task InitializeAsync()
    {
        _silo = SiloProcess.Start(SiloProcess.NewDataDirectory("admin-token"), "--local-agent", "false");
        return _silo.WaitReadyAsync();
    }

    public async Task DisposeAsync() => await _silo.DisposeAsync();

    [Fact]
    public async Task FirstStart_WritesDataAdminToken_AnnouncesThePathNeverTheToken()
    {
        var file = Path.Combine(_silo.DataDirectory, "data", "admin-token");
        var token = (await File.ReadAllTextAsync(file)).Trim();
        using var anonymous = new HttpClient { BaseAddress = _silo.Http.BaseAddress };

        using var withToken = await _silo.Http.GetAsync("/api/v1/hosts");
        using var without = await anonymous.GetAsync("/api/v1/hosts");
        using var health = await anonymous.GetAsync("/healthz");
        using var ready = await anonymous.GetAsync("/readyz");

        Assert.Equal(token, _silo.AdminToken);
        Assert.True(token.Length >= 32, $"a {token.Length}-character token");
        if (!OperatingSystem.IsWindows())
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(file));
        }
        Assert.Equal(HttpStatusCode.OK, withToken.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, without.StatusCode);
        Assert.Equal(HttpStatusCode.OK, health.StatusCode);
        Assert.Equal(HttpStatusCode.OK, ready.StatusCode);
        Assert.Contains($"Admin token", _silo.Log, StringComparison.Ordinal);
        Assert.Contains($"generated into {file}", _silo.Log, StringComparison.Ordinal);
        Assert.DoesNotContain(token, _silo.Log, StringComparison.Ordinal);
        Assert.DoesNotContain(token, await without.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }
}
