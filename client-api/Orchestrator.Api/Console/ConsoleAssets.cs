using System.Reflection;

namespace Orchestrator.Api.WebConsole; // not ".Console": that would hide System.Console in the whole assembly

/// <summary>
/// The console's static files (<c>Console/wwwroot/**</c>, embedded in this assembly, so that any process serving the
/// API serves the console and nothing is fetched from elsewhere): <c>GET /</c> is <c>index.html</c>, every other file is
/// under <c>/console/</c>. Each answer forbids framing and any script, style or connection not from this origin.
/// </summary>
public static class ConsoleAssets
{
    private const string Prefix = "console/";

    private static readonly Assembly Assembly = typeof(ConsoleAssets).Assembly;

    private static readonly Dictionary<string, string> Types = new(StringComparer.OrdinalIgnoreCase)
    {
        [".html"] = "text/html; charset=utf-8",
        [".js"] = "text/javascript; charset=utf-8",
        [".css"] = "text/css; charset=utf-8",
        [".svg"] = "image/svg+xml",
        [".png"] = "image/png",
        [".ico"] = "image/x-icon",
    };

    /// <summary>The files, by their path under wwwroot ("index.html", "js/app.js").</summary>
    public static IReadOnlyCollection<string> Files { get; } =
        [.. Assembly.GetManifestResourceNames().Where(n => n.StartsWith(Prefix, StringComparison.Ordinal)).Select(n => n[Prefix.Length..])];

    public static IEndpointRouteBuilder MapConsoleAssets(this IEndpointRouteBuilder routes)
    {
        routes.MapGet("/", (HttpContext http) => Serve(http, "index.html")).ExcludeFromDescription();
        routes.MapGet("/console/{**path}", (string path, HttpContext http) => Serve(http, path)).ExcludeFromDescription();
        return routes;
    }

    private static IResult Serve(HttpContext http, string path)
    {
        var name = path.Replace('\\', '/');
        if (!Files.Contains(name) || !Types.TryGetValue(Path.GetExtension(name), out var type))
        {
            return TypedResults.NotFound();
        }
        var headers = http.Response.Headers;
        headers.ContentSecurityPolicy = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
            + "form-action 'self'; base-uri 'none'; frame-ancestors 'none'";
        headers.XContentTypeOptions = "nosniff";
        headers["Referrer-Policy"] = "no-referrer";
        headers.CacheControl = "no-cache"; // revalidated: a new server version's files are used at once
        return TypedResults.Stream(Assembly.GetManifestResourceStream(Prefix + name)!, type);
    }
}
