using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using k8s;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Orchestrator.Containers.Tests.Fake;

/// <summary>
/// A FAKE Kubernetes API server, written in the tests because no real one can run here (no cluster, no kube-apiserver
/// or etcd binary, nothing may be downloaded). It is a Kestrel app that answers, in the Kubernetes API's own shapes
/// (v1 Job, Pod, Secret, List, Status and watch events), the calls <c>KubernetesClient</c> makes for Jobs, pods,
/// Secrets, pod logs and watches, so the Job runner under test uses the real client over real HTTP.
/// </summary>
/// <remarks>
/// It also plays a minimal Job controller: it creates a Job's pods honouring <c>parallelism</c>, <c>completions</c>,
/// <c>backoffLimit</c>, <c>podFailurePolicy</c> and the <c>Indexed</c> completion mode, and sets the Job's <c>Complete</c> / <c>Failed</c> conditions with
/// the reasons Kubernetes uses. Pods do nothing by themselves: each runs (hangs) until the test commands it to succeed,
/// fail with an exit code, be evicted, or write log lines; an image listed in <see cref="FailPullsOf"/> leaves its pods
/// in <c>ImagePullBackOff</c>. What it does not model: admission, RBAC, scheduling, field validation, pagination,
/// the back-off delay between a failed pod and its replacement, per-index back-off, Foreground deletion's finalizers,
/// the kubelet's log rotation.
/// </remarks>
internal sealed partial class FakeCluster : IAsyncDisposable
{
    private readonly Lock _gate = new();
    private readonly int _port;
    private WebApplication? _app;
    private CancellationTokenSource _streams = new();
    private volatile bool _hang;
    private volatile bool _refusing;
    private TaskCompletionSource? _podReadsHeld;
    private TaskCompletionSource _hangReleased = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private FakeCluster(string name, int port)
    {
        Name = name;
        _port = port;
        Address = new Uri($"http://127.0.0.1:{port}");
    }

    public string Name { get; }

    public Uri Address { get; }

    /// <summary>Every request: method, path and query.</summary>
    public ConcurrentQueue<string> Requests { get; } = new();

    /// <summary>Exceptions the fake itself threw (a bug in the fake, answered 500); tests can show them.</summary>
    public ConcurrentQueue<string> Errors { get; } = new();

    public static async Task<FakeCluster> StartAsync(string name = "fake")
    {
        var cluster = new FakeCluster(name, FreePort());
        await cluster.ListenAsync();
        return cluster;
    }

    /// <summary>A client of the real library pointed at this fake, with a bearer token as a service account would send.</summary>
    public IKubernetes Client() => new Kubernetes(new KubernetesClientConfiguration { Host = Address.ToString(), AccessToken = "fake-token" });

    /// <summary>Stops listening: connections are refused until <see cref="RestoreAsync"/>; open watches and log streams break.</summary>
    public async Task RefuseConnectionsAsync()
    {
        var app = _app;
        _app = null;
        if (app is null)
        {
            return;
        }
        // New requests are cut off while it stops, so none of them keeps Kestrel's graceful stop waiting; what is
        // still open when the stop token fires is aborted.
        _refusing = true;
        await DropStreamsAsync();
        using var abortAfter = new CancellationTokenSource(TimeSpan.FromSeconds(1));
        await app.StopAsync(abortAfter.Token);
        await app.DisposeAsync();
        _refusing = false;
    }

    /// <summary>
    /// Pod lists and watches wait, unanswered, until <see cref="ReleasePodReads"/>, while everything else answers: a pod
    /// watch lagging the Job's, as when a pod starts and ends between two of a client's reads.
    /// </summary>
    public void HoldPodReads() => _podReadsHeld = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Answers the pod lists and watches held by <see cref="HoldPodReads"/>, and every later one.</summary>
    public void ReleasePodReads() => Interlocked.Exchange(ref _podReadsHeld, null)?.TrySetResult();

    /// <summary>Accepts connections but answers nothing until <see cref="RestoreAsync"/> (a hung API server).</summary>
    public void StopAnswering() => _hang = true;

    /// <summary>Answers again, on the same port, with all objects as they were.</summary>
    public async Task RestoreAsync()
    {
        _hang = false;
        Interlocked.Exchange(ref _hangReleased, new(TaskCreationOptions.RunContinuationsAsynchronously)).TrySetResult();
        if (_app is null)
        {
            await ListenAsync();
        }
    }

    /// <summary>Ends every open watch and log stream (as a load balancer's idle timeout would); clients must resume.</summary>
    public async Task DropStreamsAsync()
    {
        var old = Interlocked.Exchange(ref _streams, new CancellationTokenSource());
        await old.CancelAsync();
        old.Dispose();
    }

    private async Task ListenAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls($"http://127.0.0.1:{_port}");
        builder.WebHost.ConfigureKestrel(k => k.AllowSynchronousIO = false);
        builder.Logging.ClearProviders();
        var app = builder.Build();
        app.Use(async (context, next) =>
        {
            if (_refusing)
            {
                context.Abort();
                return;
            }
            Requests.Enqueue($"{context.Request.Method} {context.Request.Path}{context.Request.QueryString}");
            if (_hang)
            {
                await _hangReleased.Task.WaitAsync(context.RequestAborted);
            }
            if (Volatile.Read(ref _podReadsHeld) is { } held && HttpMethods.IsGet(context.Request.Method) && context.Request.Path.Value?.EndsWith("/pods", StringComparison.Ordinal) == true)
            {
                await held.Task.WaitAsync(context.RequestAborted);
            }
            try
            {
                await next(context);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                Errors.Enqueue($"{context.Request.Method} {context.Request.Path}: {e}");
                throw;
            }
        });
        MapRoutes(app);
        await app.StartAsync();
        _app = app;
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    public async ValueTask DisposeAsync()
    {
        _hang = false;
        _hangReleased.TrySetResult();
        await RefuseConnectionsAsync();
        _streams.Dispose();
    }
}
