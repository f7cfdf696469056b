using System.Net;
using System.Net.Http.Json;
using System.Text;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Orchestrator.Client;
using Orchestrator.Client.Http;
using Polly;

namespace Orchestrator.Engine.Tests.Client;

/// <summary>The client's retry decision and option checks, without a server.</summary>
public sealed class ClientResilienceTests
{
    [Theory]
    [InlineData(HttpStatusCode.ServiceUnavailable, null, true)]
    [InlineData(HttpStatusCode.InternalServerError, null, true)]
    [InlineData(HttpStatusCode.TooManyRequests, null, true)]
    [InlineData(HttpStatusCode.RequestTimeout, null, true)]
    [InlineData(HttpStatusCode.Accepted, "application/problem+json", true)]
    [InlineData(HttpStatusCode.Accepted, "application/json", false)]
    [InlineData(HttpStatusCode.OK, "application/json", false)]
    [InlineData(HttpStatusCode.BadRequest, "application/problem+json", false)]
    [InlineData(HttpStatusCode.Conflict, "application/problem+json", false)]
    [InlineData(HttpStatusCode.NotFound, "application/problem+json", false)]
    public void ShouldRetry_Reply_RetriesTransientFailuresAndPendingCommandsOnly(HttpStatusCode status, string? mediaType, bool expected)
    {
        using var response = new HttpResponseMessage(status) { Content = new StringContent("{}", Encoding.UTF8, mediaType ?? "text/plain") };

        Assert.Equal(expected, ClientResilience.ShouldRetry(Outcome.FromResult(response)));
    }

    [Fact]
    public void ShouldRetry_ConnectionFailure_Retries()
    {
        Assert.True(ClientResilience.ShouldRetry(Outcome.FromException<HttpResponseMessage>(new HttpRequestException("refused"))));
    }

    [Fact]
    public void Constructor_NoBaseAddress_ThrowsNamingTheOption()
    {
        var e = Assert.Throws<ArgumentException>(() => new OrchestratorClient(new OrchestratorClientOptions()));

        Assert.Contains("OrchestratorClientOptions.BaseAddress", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Constructor_NegativeRetries_ThrowsNamingTheOptionAndValue()
    {
        var e = Assert.Throws<ArgumentException>(() => new OrchestratorClient(new OrchestratorClientOptions { BaseAddress = new Uri("http://127.0.0.1:1"), MaxRetries = -1 }));

        Assert.Contains("MaxRetries must be 0 or more; it is -1", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AddOrchestratorClient_BadOptions_FailsValidationNamingTheOption()
    {
        var services = new ServiceCollection();
        services.AddOrchestratorClient(o => o.BaseAddress = new Uri("ftp://example.com"));
        using var provider = services.BuildServiceProvider();

        var e = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<OrchestratorClient>());

        Assert.Contains("BaseAddress", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Command_PendingOnEveryAttempt_ThrowsPendingWithTheLocationAfterRetryingWithOneKey()
    {
        var keys = new List<string?>();
        using var client = new OrchestratorClient(
            new OrchestratorClientOptions { BaseAddress = new Uri("http://127.0.0.1:1"), MaxRetries = 2, RetryDelay = TimeSpan.FromMilliseconds(1) },
            new StubServer(request =>
            {
                keys.Add(request.Headers.TryGetValues("Idempotency-Key", out var v) ? v.Single() : null);
                var reply = new HttpResponseMessage(HttpStatusCode.Accepted)
                {
                    Content = JsonContent.Create(new { title = "Accepted, not yet applied.", status = 202, location = "/api/v1/task-instances/i1", traceId = "00-abc-def-01" }),
                };
                reply.Content.Headers.ContentType = new("application/problem+json");
                return reply;
            }));

        var e = await Assert.ThrowsAsync<OrchestratorCommandPendingException>(() => client.CancelInstanceAsync("i1"));

        Assert.Equal("/api/v1/task-instances/i1", e.Location);
        Assert.Equal("00-abc-def-01", e.TraceId);
        Assert.Equal(3, keys.Count);
        Assert.Single(keys.Distinct());
    }

    /// <summary>Answers every request from a function: the server of a test that needs a reply no real one gives on demand.</summary>
    private sealed class StubServer(Func<HttpRequestMessage, HttpResponseMessage> answer) : HttpMessageHandler
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken) => Task.FromResult(answer(request));
    }
}
