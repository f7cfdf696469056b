using System.Net;
using Orchestrator.Engine.Tests.Infrastructure;

namespace Orchestrator.Engine.Tests.OpenApi;

/// <summary>
/// A real silo process (SQLite, no local agent) and what it serves without a token: the OpenAPI document at
/// <c>/openapi/v1.json</c> and the reference at <c>/api/docs/</c>. One silo for the tests of the class.
/// </summary>
public sealed class OpenApiFixture : IAsyncLifetime
{
    private SiloProcess? _silo;

    /// <summary>The document as served, its text.</summary>
    public string Document { get; private set; } = "";

    /// <summary>The status the document was answered with, without a token.</summary>
    public HttpStatusCode DocumentStatus { get; private set; }

    /// <summary>A client without any credential.</summary>
    public HttpClient Anonymous { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        _silo = SiloProcess.Start(SiloProcess.NewDataDirectory("openapi"), "--local-agent", "false");
        await _silo.WaitReadyAsync();
        Anonymous = new HttpClient { BaseAddress = _silo.Http.BaseAddress, Timeout = TimeSpan.FromSeconds(30) };
        using var reply = await Anonymous.GetAsync("/openapi/v1.json");
        DocumentStatus = reply.StatusCode;
        Document = await reply.Content.ReadAsStringAsync();
    }

    public async Task DisposeAsync()
    {
        Anonymous?.Dispose();
        if (_silo is not null)
        {
            await _silo.DisposeAsync();
        }
    }
}
