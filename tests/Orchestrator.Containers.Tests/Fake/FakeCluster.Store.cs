using System.Globalization;
using k8s;
using k8s.Models;
using Microsoft.AspNetCore.Http;

namespace Orchestrator.Containers.Tests.Fake;

internal sealed partial class FakeCluster
{
    private readonly List<StoredEvent> _events = [];
    private readonly Dictionary<(string Ns, string Name), V1Job> _jobs = [];
    private readonly Dictionary<(string Ns, string Name), FakePod> _pods = [];
    private readonly Dictionary<(string Ns, string Name), V1Secret> _secrets = [];
    private readonly Dictionary<string, int> _jobCreations = new(StringComparer.Ordinal);
    private long _resourceVersion = 100;
    private long _compactedThrough;
    private TaskCompletionSource _changed = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>One change, as a watch sends it.</summary>
    private sealed record StoredEvent(long ResourceVersion, string Type, string Kind, string Namespace, string Name, IReadOnlyDictionary<string, string> Labels, string Json);

    /// <summary>
    /// Forgets the change history up to now: a watch resumed from an older resourceVersion gets a 410 Gone ERROR
    /// event, as after etcd compaction, and must list again. Some other object of the cluster changes first, so even a
    /// watcher that saw the latest change of its own objects is behind the compaction.
    /// </summary>
    public void CompactHistory()
    {
        lock (_gate)
        {
            _compactedThrough = ++_resourceVersion;
        }
    }

    /// <summary>How many times a Job of this name was created (a 201 answer).</summary>
    public int JobCreations(string name)
    {
        lock (_gate)
        {
            return _jobCreations.GetValueOrDefault(name);
        }
    }

    /// <summary>A copy of the Job as stored, or null.</summary>
    public V1Job? Job(string name, string ns = "default")
    {
        lock (_gate)
        {
            return _jobs.TryGetValue((ns, name), out var job) ? Clone(job) : null;
        }
    }

    /// <summary>Whether a Secret of that name exists.</summary>
    public bool HasSecret(string name, string ns = "default")
    {
        lock (_gate)
        {
            return _secrets.ContainsKey((ns, name));
        }
    }

    /// <summary>The uid of the Job owning the Secret, or null (no owner, or no Secret).</summary>
    public string? SecretOwner(string name, string ns = "default")
    {
        lock (_gate)
        {
            return _secrets.TryGetValue((ns, name), out var secret) ? secret.Metadata.OwnerReferences?.SingleOrDefault(o => o.Kind == "Job")?.Uid : null;
        }
    }

    /// <summary>Adds a change (under the gate) and wakes the watches.</summary>
    private void Record(string type, string kind, IKubernetesObject<V1ObjectMeta> item)
    {
        var rv = ++_resourceVersion;
        item.Metadata.ResourceVersion = rv.ToString(CultureInfo.InvariantCulture);
        var labels = new Dictionary<string, string>(item.Metadata.Labels ?? new Dictionary<string, string>(), StringComparer.Ordinal);
        _events.Add(new StoredEvent(rv, type, kind, item.Metadata.NamespaceProperty, item.Metadata.Name, labels, KubernetesJson.Serialize(item)));
        Interlocked.Exchange(ref _changed, new(TaskCreationOptions.RunContinuationsAsynchronously)).TrySetResult();
    }

    private static T Clone<T>(T item) => KubernetesJson.Deserialize<T>(KubernetesJson.Serialize(item));

    private string CurrentResourceVersion() => _resourceVersion.ToString(CultureInfo.InvariantCulture);

    /// <summary>
    /// Serves <c>watch=true</c>: from resourceVersion "" or "0", an ADDED event per current object first; from an
    /// older version than the history keeps, one ERROR event with a 410 Status and the end of the stream; then every
    /// matching change as it happens, one JSON object per line, until the client goes or the test drops streams.
    /// </summary>
    private async Task ServeWatchAsync(HttpContext context, string kind, Func<StoredEvent, bool> matches, Func<IEnumerable<IKubernetesObject<V1ObjectMeta>>> current)
    {
        var requested = context.Request.Query["resourceVersion"].ToString();
        var lines = new List<string>();
        long from;
        bool gone;
        lock (_gate)
        {
            gone = requested is not ("" or "0") && long.Parse(requested, CultureInfo.InvariantCulture) < _compactedThrough;
            from = gone ? 0 : requested is "" or "0" ? _resourceVersion : long.Parse(requested, CultureInfo.InvariantCulture);
            if (requested is "" or "0")
            {
                lines.AddRange(current().Select(o => Line("ADDED", KubernetesJson.Serialize(o))));
            }
        }
        context.Response.ContentType = "application/json";
        if (gone)
        {
            await context.Response.WriteAsync(Line("ERROR", StatusJson("Failure", "Expired", $"too old resource version: {requested} ({_compactedThrough})", 410, null)) + "\n");
            return;
        }
        await context.Response.StartAsync();
        using var stop = StreamToken(context);
        try
        {
            while (true)
            {
                foreach (var line in lines)
                {
                    await context.Response.WriteAsync(line + "\n", stop.Token);
                }
                await context.Response.Body.FlushAsync(stop.Token);
                Task changed;
                lock (_gate)
                {
                    lines = [.. _events.Where(e => e.ResourceVersion > from && e.Kind == kind && matches(e)).Select(e => Line(e.Type, e.Json))];
                    from = _resourceVersion;
                    changed = _changed.Task;
                }
                if (lines.Count == 0)
                {
                    await changed.WaitAsync(stop.Token);
                }
            }
        }
        catch (OperationCanceledException)
        {
            // The client left, or the test dropped the stream: end the response.
        }
    }

    private static string Line(string type, string json) => $"{{\"type\":\"{type}\",\"object\":{json}}}";

    /// <summary>Ends with the request or with <see cref="DropStreamsAsync"/>.</summary>
    private CancellationTokenSource StreamToken(HttpContext context)
    {
        try
        {
            return CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted, _streams.Token);
        }
        catch (ObjectDisposedException)
        {
            return CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted, _streams.Token);
        }
    }

    /// <summary>Equality-based selectors only (<c>k=v,k2=v2</c>), which is what the runner sends.</summary>
    private static bool SelectorMatches(string? selector, IReadOnlyDictionary<string, string> values)
    {
        if (string.IsNullOrEmpty(selector))
        {
            return true;
        }
        foreach (var requirement in selector.Split(',', StringSplitOptions.RemoveEmptyEntries))
        {
            var parts = requirement.Split('=', 2);
            if (parts.Length != 2 || !values.TryGetValue(parts[0].Trim(), out var value) || value != parts[1].Trim())
            {
                return false;
            }
        }
        return true;
    }
}
