using System.Net;
using k8s;
using k8s.Models;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace Orchestrator.Containers.Tests.Fake;

/// <summary>The fake's routes: the paths and answers of the Kubernetes API for the calls the runner makes.</summary>
internal sealed partial class FakeCluster
{
    private readonly List<(string Job, string? PropagationPolicy)> _deletes = [];
    private TaskCompletionSource _logChanged = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Every Job delete: its name and the propagationPolicy sent.</summary>
    public IReadOnlyList<(string Job, string? PropagationPolicy)> JobDeletes
    {
        get
        {
            lock (_gate)
            {
                return [.. _deletes];
            }
        }
    }

    private void WakeLogs() => Interlocked.Exchange(ref _logChanged, new(TaskCreationOptions.RunContinuationsAsynchronously)).TrySetResult();

    private void MapRoutes(WebApplication app)
    {
        app.MapGet("/version", () => Json(new VersionInfo { Major = "1", Minor = "31", GitVersion = "v1.31.0-fake", Platform = "linux/amd64" }));

        const string jobs = "/apis/batch/v1/namespaces/{ns}/jobs";
        app.MapPost(jobs, async (string ns, HttpContext context) =>
        {
            var job = KubernetesJson.Deserialize<V1Job>(await new StreamReader(context.Request.Body).ReadToEndAsync());
            lock (_gate)
            {
                if (_jobs.ContainsKey((ns, job.Metadata.Name)))
                {
                    return Status(HttpStatusCode.Conflict, "AlreadyExists", $"jobs.batch \"{job.Metadata.Name}\" already exists");
                }
                job.ApiVersion = "batch/v1";
                job.Kind = "Job";
                job.Metadata.NamespaceProperty = ns;
                job.Metadata.Uid = Guid.NewGuid().ToString();
                job.Metadata.CreationTimestamp = TimeProvider.System.GetUtcNow().UtcDateTime;
                job.Status = new V1JobStatus { StartTime = job.Metadata.CreationTimestamp, Active = 0 };
                _jobs[(ns, job.Metadata.Name)] = job;
                _jobCreations[job.Metadata.Name] = _jobCreations.GetValueOrDefault(job.Metadata.Name) + 1;
                Record("ADDED", "Job", job);
                Reconcile(job);
                return Json(job, HttpStatusCode.Created);
            }
        });
        app.MapGet(jobs + "/{name}", (string ns, string name) =>
        {
            lock (_gate)
            {
                return _jobs.TryGetValue((ns, name), out var job) ? Json(job) : NotFound("jobs.batch", name);
            }
        });
        app.MapGet(jobs, (string ns, HttpContext context) =>
        {
            var field = context.Request.Query["fieldSelector"].ToString();
            var labels = context.Request.Query["labelSelector"].ToString();
            bool Matches(string objectNs, string name, IReadOnlyDictionary<string, string>? objectLabels) =>
                objectNs == ns && SelectorMatches(field, new Dictionary<string, string> { ["metadata.name"] = name })
                && SelectorMatches(labels, objectLabels ?? new Dictionary<string, string>());
            if (context.Request.Query["watch"] == "true")
            {
                return new Streamed(() => ServeWatchAsync(context, "Job", e => Matches(e.Namespace, e.Name, e.Labels),
                    () => _jobs.Values.Where(j => Matches(j.Metadata.NamespaceProperty, j.Metadata.Name, j.Metadata.Labels?.AsReadOnly())).ToList()));
            }
            lock (_gate)
            {
                return Json(new V1JobList
                {
                    ApiVersion = "batch/v1",
                    Kind = "JobList",
                    Metadata = new V1ListMeta { ResourceVersion = CurrentResourceVersion() },
                    Items = [.. _jobs.Values.Where(j => Matches(j.Metadata.NamespaceProperty, j.Metadata.Name, j.Metadata.Labels?.AsReadOnly()))],
                });
            }
        });
        app.MapDelete(jobs + "/{name}", (string ns, string name, string? propagationPolicy) =>
        {
            lock (_gate)
            {
                _deletes.Add((name, propagationPolicy));
                if (!_jobs.Remove((ns, name), out var job))
                {
                    return NotFound("jobs.batch", name);
                }
                job.Metadata.DeletionTimestamp = TimeProvider.System.GetUtcNow().UtcDateTime;
                Record("DELETED", "Job", job);
                // The API's default for Jobs is to orphan the pods; only Background or Foreground takes them along.
                if (propagationPolicy is "Background" or "Foreground")
                {
                    foreach (var owned in _secrets.Values.Where(x => x.Metadata.OwnerReferences?.Any(o => o.Uid == job.Metadata.Uid) == true).ToList())
                    {
                        _secrets.Remove((ns, owned.Metadata.Name));
                        Record("DELETED", "Secret", owned);
                    }
                    foreach (var pod in _pods.Values.Where(p => p.JobName == name && p.Pod.Metadata.NamespaceProperty == ns).ToList())
                    {
                        DeletePod(pod);
                    }
                }
                return Results.Text(StatusJson("Success", null, null, 200, new { name, group = "batch", kind = "jobs", uid = job.Metadata.Uid }), "application/json");
            }
        });

        const string pods = "/api/v1/namespaces/{ns}/pods";
        app.MapGet(pods, (string ns, HttpContext context) =>
        {
            var labels = context.Request.Query["labelSelector"].ToString();
            bool Matches(string objectNs, IReadOnlyDictionary<string, string>? objectLabels) =>
                objectNs == ns && SelectorMatches(labels, objectLabels ?? new Dictionary<string, string>());
            if (context.Request.Query["watch"] == "true")
            {
                return new Streamed(() => ServeWatchAsync(context, "Pod", e => Matches(e.Namespace, e.Labels),
                    () => _pods.Values.Where(p => !p.Deleted && Matches(p.Pod.Metadata.NamespaceProperty, p.Pod.Metadata.Labels?.AsReadOnly())).Select(p => p.Pod).ToList()));
            }
            lock (_gate)
            {
                return Json(new V1PodList
                {
                    ApiVersion = "v1",
                    Kind = "PodList",
                    Metadata = new V1ListMeta { ResourceVersion = CurrentResourceVersion() },
                    Items = [.. _pods.Values.Where(p => !p.Deleted && Matches(p.Pod.Metadata.NamespaceProperty, p.Pod.Metadata.Labels?.AsReadOnly())).Select(p => p.Pod)],
                });
            }
        });
        app.MapGet(pods + "/{name}/log", (string ns, string name, HttpContext context) => new Streamed(() => ServeLogAsync(context, ns, name)));

        const string secrets = "/api/v1/namespaces/{ns}/secrets";
        app.MapPost(secrets, async (string ns, HttpContext context) =>
        {
            var secret = KubernetesJson.Deserialize<V1Secret>(await new StreamReader(context.Request.Body).ReadToEndAsync());
            lock (_gate)
            {
                if (_secrets.ContainsKey((ns, secret.Metadata.Name)))
                {
                    return Status(HttpStatusCode.Conflict, "AlreadyExists", $"secrets \"{secret.Metadata.Name}\" already exists");
                }
                secret.Metadata.NamespaceProperty = ns;
                secret.Metadata.Uid = Guid.NewGuid().ToString();
                _secrets[(ns, secret.Metadata.Name)] = secret;
                Record("ADDED", "Secret", secret);
                return Json(secret, HttpStatusCode.Created);
            }
        });
        app.MapPatch(secrets + "/{name}", async (string ns, string name, HttpContext context) =>
        {
            // Only what the runner patches: metadata.ownerReferences, replaced whole as a merge patch replaces a list.
            if (context.Request.ContentType?.StartsWith("application/merge-patch+json", StringComparison.Ordinal) != true)
            {
                return Status(HttpStatusCode.UnsupportedMediaType, "UnsupportedMediaType", $"the fake takes merge patches, not {context.Request.ContentType}");
            }
            var patch = KubernetesJson.Deserialize<V1Secret>(await new StreamReader(context.Request.Body).ReadToEndAsync());
            lock (_gate)
            {
                if (!_secrets.TryGetValue((ns, name), out var secret))
                {
                    return NotFound("secrets", name);
                }
                secret.Metadata.OwnerReferences = patch.Metadata?.OwnerReferences;
                Record("MODIFIED", "Secret", secret);
                return Json(secret);
            }
        });
        app.MapGet(secrets + "/{name}", (string ns, string name) =>
        {
            lock (_gate)
            {
                return _secrets.TryGetValue((ns, name), out var secret) ? Json(secret) : NotFound("secrets", name);
            }
        });
        app.MapDelete(secrets + "/{name}", (string ns, string name) =>
        {
            lock (_gate)
            {
                if (!_secrets.Remove((ns, name), out var secret))
                {
                    return NotFound("secrets", name);
                }
                Record("DELETED", "Secret", secret);
                return Results.Text(StatusJson("Success", null, null, 200, new { name, kind = "secrets" }), "application/json");
            }
        });
    }

    /// <summary>
    /// Serves a pod's log: 404 for an unknown pod, 400 while its container waits to start (as the kubelet answers),
    /// else the lines written so far (prefixed with their timestamp when <c>timestamps=true</c>), and with
    /// <c>follow=true</c> every later line until the pod ends or is deleted.
    /// </summary>
    private async Task ServeLogAsync(HttpContext context, string ns, string name)
    {
        var follow = context.Request.Query["follow"] == "true";
        var timestamps = context.Request.Query["timestamps"] == "true";
        FakePod? pod;
        lock (_gate)
        {
            _pods.TryGetValue((ns, name), out pod);
        }
        if (pod is null || (pod.Deleted && pod.Log.Count == 0))
        {
            await NotFound("pods", name).ExecuteAsync(context);
            return;
        }
        if (pod.Pod.Status.Phase == "Pending")
        {
            var reason = pod.Pod.Status.ContainerStatuses[0].State.Waiting?.Reason ?? "ContainerCreating";
            await Status(HttpStatusCode.BadRequest, "BadRequest", $"container \"{pod.Pod.Spec.Containers[0].Name}\" in pod \"{name}\" is waiting to start: {reason}").ExecuteAsync(context);
            return;
        }
        context.Response.ContentType = "text/plain";
        await context.Response.StartAsync();
        using var stop = StreamToken(context);
        var sent = 0;
        try
        {
            while (true)
            {
                List<(string Timestamp, string Text)> lines;
                bool ended;
                Task changed;
                lock (_gate)
                {
                    lines = pod.Log.Skip(sent).ToList();
                    ended = pod.Ended;
                    changed = _logChanged.Task;
                }
                foreach (var (timestamp, text) in lines)
                {
                    await context.Response.WriteAsync((timestamps ? timestamp + " " : "") + text + "\n", stop.Token);
                }
                sent += lines.Count;
                await context.Response.Body.FlushAsync(stop.Token);
                if (!follow || (ended && lines.Count == 0))
                {
                    return;
                }
                if (lines.Count == 0)
                {
                    await changed.WaitAsync(stop.Token);
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    private static IResult Json(object value, HttpStatusCode code = HttpStatusCode.OK) =>
        Results.Text(KubernetesJson.Serialize(value), "application/json", statusCode: (int)code);

    private static IResult NotFound(string resource, string name) => Status(HttpStatusCode.NotFound, "NotFound", $"{resource} \"{name}\" not found");

    private static IResult Status(HttpStatusCode code, string reason, string message) =>
        Results.Text(StatusJson("Failure", reason, message, (int)code, null), "application/json", statusCode: (int)code);

    /// <summary>A v1 Status (the client library's model of it can be read but not written).</summary>
    private static string StatusJson(string status, string? reason, string? message, int code, object? details) =>
        System.Text.Json.JsonSerializer.Serialize(new { kind = "Status", apiVersion = "v1", metadata = new { }, status, reason, message, code, details });

    /// <summary>An answer written by the handler itself (watch and log streams).</summary>
    private sealed class Streamed(Func<Task> write) : IResult
    {
        public Task ExecuteAsync(HttpContext httpContext) => write();
    }
}
