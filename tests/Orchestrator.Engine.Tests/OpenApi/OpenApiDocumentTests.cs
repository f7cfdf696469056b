using System.Net;
using System.Text.Json.Nodes;
using Orchestrator.Engine.Tests.Infrastructure;

namespace Orchestrator.Engine.Tests.OpenApi;

/// <summary>
/// The OpenAPI document the API serves: the same as the committed <c>docs/openapi.json</c>, every operation's answers
/// typed, every operation but the probes secured. Set <c>ORCH_UPDATE_OPENAPI=1</c> to rewrite the committed file from
/// the served one (then review the diff).
/// </summary>
public sealed class OpenApiDocumentTests(OpenApiFixture api) : IClassFixture<OpenApiFixture>
{
    private const string UpdateVariable = "ORCH_UPDATE_OPENAPI";
    private static readonly string[] Open = ["/healthz", "/readyz", "/metrics"];
    private static readonly string[] Methods = ["get", "put", "post", "delete", "patch", "head", "options"];

    [Fact]
    public async Task Served_ComparedWithDocsOpenApiJson_IsTheSame()
    {
        var committed = Repo.Path("docs", "openapi.json");
        var served = api.Document.ReplaceLineEndings("\n").TrimEnd() + "\n";
        if (Environment.GetEnvironmentVariable(UpdateVariable) == "1")
        {
            await File.WriteAllTextAsync(committed, served);
        }

        Assert.Equal(HttpStatusCode.OK, api.DocumentStatus);
        Assert.True(File.Exists(committed), $"{committed} is missing; {HowToUpdate}");
        var expected = (await File.ReadAllTextAsync(committed)).ReplaceLineEndings("\n");
        if (expected != served)
        {
            var (line, was, now) = FirstDifference(expected, served);
            Assert.Fail($"docs/openapi.json differs from the document the API serves, first at line {line}:\n  committed: {was}\n  served:    {now}\n{HowToUpdate}");
        }
    }

    [Fact]
    public void Operations_EveryOne_HasA2xxWithContentAndProblemAnswersFor4xx()
    {
        var missing = new List<string>();
        foreach (var (name, operation) in Operations())
        {
            var responses = operation["responses"]!.AsObject();
            var success = responses.Where(r => r.Key.StartsWith('2')).ToList();
            if (success.Count == 0)
            {
                missing.Add($"{name}: no 2xx answer");
            }
            // 204 has no body by definition; any other 2xx says what it holds: a schema, or a content type (text, a file).
            foreach (var (status, response) in success.Where(r => r.Key != "204"))
            {
                if (response!["content"] is not JsonObject content || content.Count == 0)
                {
                    missing.Add($"{name}: {status} has no content");
                }
                else if (content.Any(c => c.Key.Contains("json", StringComparison.Ordinal) && c.Value!["schema"] is null))
                {
                    missing.Add($"{name}: {status} has JSON content without a schema");
                }
            }
            // The open probes take no input and no credential; every other operation can refuse both, and a path's resource can be missing.
            var refusals = Open.Any(p => name.EndsWith(" " + p, StringComparison.Ordinal)) ? [] : new[] { "400", "401" }.Concat(name.Contains('{', StringComparison.Ordinal) ? ["404"] : []);
            foreach (var status in refusals)
            {
                if (responses[status]?["content"] is not JsonObject content || !content.Any(c => c.Value!["schema"] is not null))
                {
                    missing.Add($"{name}: no {status} with a schema");
                }
            }
        }

        Assert.True(missing.Count == 0, "Operations without typed answers:\n" + string.Join("\n", missing));
    }

    [Fact]
    public void References_EveryOne_NamesASchemaOfTheDocumentAndNoneIsAnonymous()
    {
        var document = JsonNode.Parse(api.Document)!;
        var schemas = document["components"]!["schemas"]!.AsObject().Select(s => s.Key).ToHashSet(StringComparer.Ordinal);
        var references = new List<string>();
        Collect(document, references);
        var dangling = references.Where(r => !r.StartsWith("#/components/", StringComparison.Ordinal)
            || r.StartsWith("#/components/schemas/", StringComparison.Ordinal) && !schemas.Contains(r["#/components/schemas/".Length..])).Distinct().ToList();

        Assert.True(references.Count > 100, $"only {references.Count} references");
        Assert.True(dangling.Count == 0, "references to nothing: " + string.Join(", ", dangling));
        Assert.DoesNotContain(schemas, s => s.Contains("Anonymous", StringComparison.Ordinal));
    }

    private static void Collect(JsonNode? node, List<string> references)
    {
        if (node is JsonObject obj)
        {
            foreach (var (key, value) in obj)
            {
                if (key == "$ref" && value is JsonValue v && v.TryGetValue<string>(out var reference))
                {
                    references.Add(reference);
                }
                Collect(value, references);
            }
        }
        else if (node is JsonArray array)
        {
            foreach (var item in array)
            {
                Collect(item, references);
            }
        }
    }

    [Fact]
    public void Operations_AllButTheProbes_HaveASecurityRequirementOfADeclaredScheme()
    {
        var document = JsonNode.Parse(api.Document)!;
        var schemes = document["components"]?["securitySchemes"]?.AsObject().Select(s => s.Key).ToHashSet() ?? [];
        var wrong = new List<string>();
        var operations = Operations().ToList();
        foreach (var (name, operation) in operations)
        {
            var path = name[(name.IndexOf(' ', StringComparison.Ordinal) + 1)..];
            var required = (operation["security"] as JsonArray ?? []).SelectMany(r => r!.AsObject().Select(s => s.Key)).ToList();
            if (Open.Contains(path))
            {
                if (required.Count > 0)
                {
                    wrong.Add($"{name}: open, but requires {string.Join(", ", required)}");
                }
            }
            else if (required.Count == 0 || required.Any(s => !schemes.Contains(s)))
            {
                wrong.Add($"{name}: requires [{string.Join(", ", required)}] of the declared [{string.Join(", ", schemes)}]");
            }
        }

        Assert.Contains(operations, o => o.Name == "GET /healthz");
        Assert.Contains(operations, o => o.Name == "POST /api/v1/plans/{id}/run");
        Assert.Equal(["agentCredential", "agentRegistrationToken", "apiToken", "harborSecret", "jwt"], schemes.Order(StringComparer.Ordinal));
        Assert.True(wrong.Count == 0, string.Join("\n", wrong));
    }

    [Fact]
    public void Operations_EveryOne_HasASummaryAndAnOperationIdOfItsOwn()
    {
        var operations = Operations().ToList();
        var unnamed = operations.Where(o => o.Operation["summary"] is null || o.Operation["operationId"] is null).Select(o => o.Name).ToList();
        var ids = operations.Select(o => (string?)o.Operation["operationId"]).Where(i => i is not null).ToList();

        Assert.True(unnamed.Count == 0, "Describe these in Hosting/OpenApiOperations.cs: " + string.Join(", ", unnamed));
        Assert.Equal(ids.Count, ids.Distinct(StringComparer.Ordinal).Count());
    }

    private static string HowToUpdate =>
        $"Regenerate it from the running API: {UpdateVariable}=1 dotnet test tests/Orchestrator.Engine.Tests --filter \"FullyQualifiedName~OpenApiDocumentTests\", then review the diff of docs/openapi.json.";

    private IEnumerable<(string Name, JsonObject Operation)> Operations()
    {
        var paths = JsonNode.Parse(api.Document)!["paths"]!.AsObject();
        foreach (var (path, item) in paths)
        {
            foreach (var method in Methods)
            {
                if (item![method] is JsonObject operation)
                {
                    yield return ($"{method.ToUpperInvariant()} {path}", operation);
                }
            }
        }
    }

    private static (int Line, string Committed, string Served) FirstDifference(string committed, string served)
    {
        var a = committed.Split('\n');
        var b = served.Split('\n');
        for (var i = 0; i < Math.Max(a.Length, b.Length); i++)
        {
            var x = i < a.Length ? a[i] : "(end of file)";
            var y = i < b.Length ? b[i] : "(end of file)";
            if (x != y)
            {
                return (i + 1, x.Trim(), y.Trim());
            }
        }
        return (0, "", "");
    }
}
