using System.Net;
using System.Text.RegularExpressions;

namespace Orchestrator.Engine.Tests.OpenApi;

/// <summary>The interactive reference at <c>/api/docs</c>: open, and nothing in it is fetched from another origin.</summary>
public sealed partial class ApiReferenceTests(OpenApiFixture api) : IClassFixture<OpenApiFixture>
{
    [Fact]
    public async Task ApiDocs_WithoutAToken_IsHtmlReferringOnlyToLocalAssetsThatAreServed()
    {
        using var reply = await api.Anonymous.GetAsync("/api/docs/");
        var html = await reply.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.OK, reply.StatusCode);
        Assert.Equal("text/html", reply.Content.Headers.ContentType?.MediaType);
        var references = Reference().Matches(html).Select(m => m.Groups["url"].Value).ToList();
        Assert.NotEmpty(references);
        var remote = references.Where(u => u.StartsWith("//", StringComparison.Ordinal) || Uri.TryCreate(u, UriKind.Absolute, out var abs) && abs.Scheme is "http" or "https").ToList();
        Assert.True(remote.Count == 0, "remote assets: " + string.Join(", ", remote));
        Assert.DoesNotContain("cdn.", html, StringComparison.OrdinalIgnoreCase);
        // The document is fetched from this origin (Scalar resolves the relative URL against it); Scalar's own fonts
        // (its CDN), its telemetry and its request proxy are off.
        Assert.Contains("\"url\":\"openapi/v1.json\"", html, StringComparison.Ordinal);
        Assert.Contains("\"withDefaultFonts\":false", html, StringComparison.Ordinal);
        Assert.Contains("\"telemetry\":false", html, StringComparison.Ordinal);
        Assert.DoesNotContain("proxyUrl", html, StringComparison.OrdinalIgnoreCase);
        foreach (var script in references.Where(u => u.EndsWith(".js", StringComparison.Ordinal)))
        {
            using var asset = await api.Anonymous.GetAsync(new Uri(new Uri(api.Anonymous.BaseAddress!, "/api/docs/"), script));
            Assert.True(asset.StatusCode == HttpStatusCode.OK, $"{script}: {asset.StatusCode}");
        }
    }

    /// <summary>Every place an HTML page names another resource: src, href, and CSS url(...).</summary>
    [GeneratedRegex("""(?:src|href)\s*=\s*["'](?<url>[^"']+)["']|url\(\s*["']?(?<url>[^"')]+)""", RegexOptions.IgnoreCase)]
    private static partial Regex Reference();
}
