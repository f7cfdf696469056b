using Orchestrator.Plans.Model;
using YamlDotNet.RepresentationModel;

namespace Orchestrator.Plans.Parsing;

internal sealed partial class PlanReader
{
    private static readonly string[] HttpFields = ["method", "url", "headers", "body", "expectStatus", "timeout", "followRedirects"];

    /// <summary><c>http: https://host/health</c> is short for <c>http: {url: https://host/health}</c> (a GET).</summary>
    private HttpSpec? ReadHttp(YamlNode node, string path)
    {
        if (node is YamlScalarNode)
        {
            return new HttpSpec { Url = reader.String(node, path) ?? "" };
        }

        var f = reader.Mapping(node, path, "an http request", HttpFields);
        if (f is null)
        {
            return null;
        }

        return new HttpSpec
        {
            Method = f.String("method") ?? "GET",
            Url = f.String("url") ?? "",
            Headers = f.TryGet("headers", out var headers) ? reader.StringMap(headers, f.PathOf("headers")) : new Dictionary<string, string>(),
            Body = f.String("body"),
            ExpectStatus = f.TryGet("expectStatus", out var expect) ? ReadExpectStatus(expect, f.PathOf("expectStatus")) : [],
            Timeout = f.Duration("timeout"),
            FollowRedirects = f.Bool("followRedirects"),
        };
    }

    /// <summary>A list of statuses, or one: <c>expectStatus: 204</c> is short for <c>expectStatus: [204]</c>.</summary>
    private List<string> ReadExpectStatus(YamlNode node, string path) =>
        node is YamlScalarNode
            ? reader.String(node, path) is { } one ? [one] : []
            : reader.List(node, path, reader.String);
}
