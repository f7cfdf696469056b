using System.Net.Http.Headers;
using System.Runtime.CompilerServices;
using System.Text;
using System.Xml;

namespace Orchestrator.Client;

public sealed partial class OrchestratorClient
{
    /// <summary>
    /// Creates or updates plan <paramref name="id"/> from its text (<c>PUT /plans/{id}</c>); with
    /// <paramref name="expectedVersion"/> only if that is still the latest version (409 otherwise). A plan error is a 400
    /// whose field errors give the line and column. <paramref name="namespace"/>: the namespace a new plan goes into
    /// (the document's <c>namespace:</c> field, if any, must agree; an existing plan's namespace never changes).
    /// </summary>
    public Task<PlanSaved> PutPlanAsync(string id, string text, PlanFormat format = PlanFormat.Yaml, int? expectedVersion = null, string? @namespace = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(text);
        return CommandAsync<PlanSaved>(HttpMethod.Put, $"plans/{Segment(id)}" + Query(("namespace", @namespace)), PlanContent(text, format), expectedVersion, cancellationToken);
    }

    /// <summary>
    /// Checks plan <paramref name="id"/> as <see cref="PutPlanAsync"/> would save it — the document (a 400 with line and
    /// column), its namespace, the caller's rights — and saves nothing (<c>PUT /plans/{id}?dryRun=true</c>).
    /// </summary>
    public Task<PlanChecked> CheckPlanAsync(string id, string text, PlanFormat format = PlanFormat.Yaml, string? @namespace = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(text);
        return CommandAsync<PlanChecked>(HttpMethod.Put, $"plans/{Segment(id)}" + Query(("namespace", @namespace), ("dryRun", "true")), PlanContent(text, format), cancellationToken);
    }

    /// <summary>
    /// Creates a plan (<c>POST /plans</c>) in <paramref name="namespace"/> (default: the document's, else <c>default</c>):
    /// 409 if <paramref name="id"/> exists; without an id the server makes one.
    /// </summary>
    public Task<PlanSaved> CreatePlanAsync(string text, string? id = null, PlanFormat format = PlanFormat.Yaml, string? @namespace = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(text);
        return CommandAsync<PlanSaved>(HttpMethod.Post, "plans" + Query(("id", id), ("namespace", @namespace)), PlanContent(text, format), cancellationToken);
    }

    /// <summary>A plan version (default the latest) with its definition as JSON.</summary>
    public Task<Plan> GetPlanAsync(string id, int? version = null, CancellationToken cancellationToken = default) =>
        GetAsync<Plan>($"plans/{Segment(id)}" + Query(("version", Text(version))), cancellationToken);

    /// <summary>A plan version (default the latest) as YAML text, secrets' defaults masked.</summary>
    public Task<string> GetPlanYamlAsync(string id, int? version = null, CancellationToken cancellationToken = default) =>
        GetTextAsync($"plans/{Segment(id)}" + Query(("version", Text(version)), ("format", "yaml")), cancellationToken);

    /// <summary>A page of the plan list: of <paramref name="namespace"/>, or of every namespace the caller may read.</summary>
    public Task<Page<PlanListItem>> ListPlansAsync(PageRequest? page = null, string? @namespace = null, CancellationToken cancellationToken = default) =>
        GetAsync<Page<PlanListItem>>("plans" + Query(("namespace", @namespace), ("after", page?.After), ("limit", Text(page?.Limit))), cancellationToken);

    /// <summary>
    /// Every version of a plan, newest first. The API has no list of versions: this reads the latest, then each older
    /// one by number (<c>GET /plans/{id}?version=N</c>), one call per version.
    /// </summary>
    public async IAsyncEnumerable<Plan> ListPlanVersionsAsync(string id, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var latest = await GetPlanAsync(id, null, cancellationToken).ConfigureAwait(false);
        yield return latest;
        for (var v = latest.Version - 1; v >= 1; v--)
        {
            yield return await GetPlanAsync(id, v, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Runs a plan (<c>POST /plans/{id}/run</c>): a new task instance with the given parameters, now or delayed. A retry
    /// after a lost reply names the same instance (the server derives its id from the idempotency key).
    /// </summary>
    public Task<RunStarted> RunPlanAsync(string id, RunRequest? request = null, CancellationToken cancellationToken = default)
    {
        var body = new Dictionary<string, object?>();
        if (request is not null)
        {
            body["parameters"] = request.Parameters;
            body["version"] = request.Version;
            body["at"] = request.At?.ToString("O", System.Globalization.CultureInfo.InvariantCulture);
            body["delay"] = request.Delay is { } d ? XmlConvert.ToString(d) : null;
            body["statusHook"] = request.StatusHook;
        }
        return CommandAsync<RunStarted>(HttpMethod.Post, $"plans/{Segment(id)}/run", Json(body.Where(p => p.Value is not null).ToDictionary()), cancellationToken);
    }

    /// <summary>Runs a plan with these parameters, now.</summary>
    public Task<RunStarted> RunPlanAsync(string id, IReadOnlyDictionary<string, string> parameters, CancellationToken cancellationToken = default) =>
        RunPlanAsync(id, new RunRequest { Parameters = parameters }, cancellationToken);

    private static StringContent PlanContent(string text, PlanFormat format) =>
        new(text, Encoding.UTF8, new MediaTypeHeaderValue(format == PlanFormat.Json ? "application/json" : "application/yaml") { CharSet = "utf-8" });
}
