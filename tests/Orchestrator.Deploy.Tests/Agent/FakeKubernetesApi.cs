using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Orchestrator.Deploy.Tests.Agent;

/// <summary>
/// A FAKE Kubernetes API server: a Kestrel app that answers only <c>GET /api/v1/nodes/{name}</c> with a node object
/// (or the status the test asks for), over plain HTTP. It is a fake because the real thing cannot run here: no
/// cluster, no kube-apiserver binary, and nothing may be downloaded; what the agent needs of the API is this one read,
/// whose shape is the Kubernetes API's (a v1 Node; a v1 Status on errors). The agent's real HTTP client (KubernetesClient)
/// talks to it; it records the requests so a test can see the path and the bearer token sent.
/// </summary>
internal sealed class FakeKubernetesApi : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ConcurrentDictionary<string, Dictionary<string, string>> _nodes = new(StringComparer.Ordinal);

    private FakeKubernetesApi(WebApplication app, Uri address)
    {
        _app = app;
        Address = address;
    }

    public Uri Address { get; }

    /// <summary>Every request: method, path and Authorization header.</summary>
    public ConcurrentQueue<(string Method, string Path, string? Authorization)> Requests { get; } = new();

    /// <summary>When set, every request is answered with this status (403 for a missing ClusterRole, ...).</summary>
    public HttpStatusCode? FailWith { get; set; }

    public void AddNode(string name, Dictionary<string, string> labels) => _nodes[name] = labels;

    public static async Task<FakeKubernetesApi> StartAsync()
    {
        var port = FreePort();
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls($"http://127.0.0.1:{port}");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var fake = new FakeKubernetesApi(app, new Uri($"http://127.0.0.1:{port}"));
        app.Use(async (context, next) =>
        {
            fake.Requests.Enqueue((context.Request.Method, context.Request.Path.Value ?? "", context.Request.Headers.Authorization.FirstOrDefault()));
            if (fake.FailWith is { } status)
            {
                await Status(context, status, "forced by the test");
                return;
            }
            await next(context);
        });
        app.MapGet("/api/v1/nodes/{name}", async (string name, HttpContext context) =>
        {
            if (!fake._nodes.TryGetValue(name, out var labels))
            {
                await Status(context, HttpStatusCode.NotFound, $"nodes \"{name}\" not found");
                return;
            }
            context.Response.ContentType = "application/json";
            await context.Response.WriteAsync(JsonSerializer.Serialize(new
            {
                kind = "Node",
                apiVersion = "v1",
                metadata = new { name, uid = "0b0c7f6e-0000-4000-8000-000000000001", labels },
                status = new { nodeInfo = new { architecture = "amd64", operatingSystem = "linux" } },
            }));
        });
        await app.StartAsync();
        return fake;
    }

    private static Task Status(HttpContext context, HttpStatusCode code, string message)
    {
        context.Response.StatusCode = (int)code;
        context.Response.ContentType = "application/json";
        return context.Response.WriteAsync(JsonSerializer.Serialize(new { kind = "Status", apiVersion = "v1", status = "Failure", message, code = (int)code }));
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
