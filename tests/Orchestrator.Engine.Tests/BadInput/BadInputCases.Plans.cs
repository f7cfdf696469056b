namespace Orchestrator.Engine.Tests.BadInput;

public static partial class BadInputCases
{
    private static IEnumerable<BadInputCase> PlanCases()
    {
        // Path ids: the alphabet, the first character, the length.
        yield return Send("put id of three dots", "PUT", "/api/v1/plans/...", GatePlan, 400, "id", Yaml);
        yield return Send("put id with a control character", "PUT", "/api/v1/plans/a%01b", GatePlan, 400, "id", Yaml);
        yield return Send("put id starting with a dash", "PUT", "/api/v1/plans/-lead", GatePlan, 400, "id", Yaml);
        yield return Send("put id starting with a dot", "PUT", "/api/v1/plans/.hidden", GatePlan, 400, "id", Yaml);
        yield return Send("put id with a non-ASCII letter", "PUT", "/api/v1/plans/caf%C3%A9", GatePlan, 400, "id", Yaml);
        yield return Send("put id with a space", "PUT", "/api/v1/plans/a%20b", GatePlan, 400, "id", Yaml);
        yield return Send("put id of 129 characters", "PUT", "/api/v1/plans/" + Repeat('a', 129), GatePlan, 400, "id", Yaml);
        yield return Send("post id of two dots", "POST", "/api/v1/plans?id=..", GatePlan, 400, "id", Yaml);
        yield return Send("post id of one dot", "POST", "/api/v1/plans?id=.", GatePlan, 400, "id", Yaml);
        yield return Send("post id starting with an underscore", "POST", "/api/v1/plans?id=_{new}", GatePlan, 400, "id", Yaml);
        yield return Send("put a new id starting with an underscore", "PUT", "/api/v1/plans/_{new}", GatePlan, 400, "id", Yaml);
        yield return Get("get a legacy id that is not stored", "/api/v1/plans/_{new}", 404, null);
        yield return Get("targets of step minus zero", "/api/v1/task-instances/{instance}/steps/-0/targets", 400, "step");
        yield return Send("post id with a slash", "POST", "/api/v1/plans?id=a%2Fb", GatePlan, 400, "id", Yaml);
        yield return Send("post empty id", "POST", "/api/v1/plans?id=", GatePlan, 400, "id", Yaml);
        yield return Send("post id given twice", "POST", "/api/v1/plans?id=a&id=b", GatePlan, 400, "id", Yaml);
        yield return Send("post id with a NUL", "POST", "/api/v1/plans?id=a%00b", GatePlan, 400, "id", Yaml);
        yield return Send("post misspelt query parameter", "POST", "/api/v1/plans?idd={new}", GatePlan, 400, "idd", Yaml);

        // Bodies: empty, white space, types, charsets, encodings, size, NUL.
        yield return Send("put empty body", "PUT", "/api/v1/plans/{new}", "", 400, "body", Yaml);
        yield return Send("put white space body", "PUT", "/api/v1/plans/{new}", " \n\t\n", 400, "body", Yaml);
        yield return Send("put xml content type", "PUT", "/api/v1/plans/{new}", GatePlan, 415, "Content-Type", "application/xml");
        yield return Send("put form content type", "PUT", "/api/v1/plans/{new}", GatePlan, 415, "Content-Type", "application/x-www-form-urlencoded");
        yield return Send("put multipart content type", "PUT", "/api/v1/plans/{new}", GatePlan, 415, "Content-Type", "multipart/form-data; boundary=x");
        yield return Send("put utf-16 charset", "PUT", "/api/v1/plans/{new}", GatePlan, 415, "Content-Type", "application/yaml; charset=utf-16");
        yield return new BadInputCase("put invalid UTF-8", "PUT", "/api/v1/plans/{new}", 400, "body") { ContentType = Yaml, Bytes = [.. "name: a\xff"u8, 0xC3, 0x28] };
        yield return Send("put plan with a NUL", "PUT", "/api/v1/plans/{new}", GatePlan.Replace("name: gate", "name: ga\0te", StringComparison.Ordinal), 400, "body", Yaml);
        yield return Send("put body over 1 MiB", "PUT", "/api/v1/plans/{new}", "name: big\ndescription: " + Repeat('x', 1024 * 1024 + 10), 413, "body", Yaml);
        yield return Send("put json plan that is an array", "PUT", "/api/v1/plans/{new}", "[1, 2]", 400, "body", Json);
        yield return Send("put plan with a misspelt field", "PUT", "/api/v1/plans/{new}", GatePlan.Replace("steps:", "stepz:", StringComparison.Ordinal), 400, "stepz", Yaml);
        yield return Send("put secret default as the mask on a new plan", "PUT", "/api/v1/plans/{new}", GatePlan + "\nparameters:\n  - name: token\n    type: secret\n    default: \"***\"\n", 400, "parameters[0].default", Yaml);

        // If-Match: one whole version number.
        yield return Send("put if-match not a number", "PUT", "/api/v1/plans/{new}", GatePlan, 400, "If-Match", Yaml) with { Headers = [new("If-Match", "\"abc\"")] };
        yield return Send("put if-match negative", "PUT", "/api/v1/plans/{new}", GatePlan, 400, "If-Match", Yaml) with { Headers = [new("If-Match", "\"-1\"")] };
        yield return Send("put if-match overflowing", "PUT", "/api/v1/plans/{new}", GatePlan, 400, "If-Match", Yaml) with { Headers = [new("If-Match", "\"99999999999\"")] };

        // The caller header.

        // Reading: version, format, unknown parameters.
        yield return Get("get plan id of three dots", "/api/v1/plans/...", 400, "id");
        yield return Get("get plan version zero", "/api/v1/plans/{plan}?version=0", 400, "version");
        yield return Get("get plan version negative", "/api/v1/plans/{plan}?version=-1", 400, "version");
        yield return Get("get plan version overflowing", "/api/v1/plans/{plan}?version=2147483648", 400, "version");
        yield return Get("get plan version not a number", "/api/v1/plans/{plan}?version=latest", 400, "version");
        yield return Get("get plan version with a plus", "/api/v1/plans/{plan}?version=%2B1", 400, "version");
        yield return Get("get plan format xml", "/api/v1/plans/{plan}?format=xml", 400, "format");
        yield return Get("get plan misspelt version", "/api/v1/plans/{plan}?verison=1", 400, "verison");

        // Listing: limit bounds and cursors.
        yield return Get("list plans limit zero", "/api/v1/plans?limit=0", 400, "limit");
        yield return Get("list plans limit negative", "/api/v1/plans?limit=-1", 400, "limit");
        yield return Get("list plans limit over the maximum", "/api/v1/plans?limit=1001", 400, "limit");
        yield return Get("list plans limit overflowing", "/api/v1/plans?limit=2147483648", 400, "limit");
        yield return Get("list plans limit in exponent form", "/api/v1/plans?limit=1e3", 400, "limit");
        yield return Get("list plans limit empty", "/api/v1/plans?limit=", 400, "limit");
        yield return Get("list plans limit twice", "/api/v1/plans?limit=1&limit=2", 400, "limit");
        yield return Get("list plans cursor NUL", "/api/v1/plans?after=%00", 400, "after");
        yield return Get("list plans cursor not base64url", "/api/v1/plans?after=not%20a%20cursor", 400, "after");
        yield return Get("list plans cursor of a raw id", "/api/v1/plans?after=plan.1", 400, "after");
        yield return Get("list plans cursor of another version", "/api/v1/plans?after=" + CursorOf(2, "abc"u8.ToArray()), 400, "after");
        yield return Get("list plans cursor holding a NUL", "/api/v1/plans?after=" + CursorOf(1, "a\0b"u8.ToArray()), 400, "after");
        yield return Get("list plans cursor holding a space", "/api/v1/plans?after=" + CursorOf("a b"), 400, "after");
        yield return Get("list plans cursor holding invalid UTF-8", "/api/v1/plans?after=" + CursorOf(1, [0x61, 0xFF, 0xFE]), 400, "after");
        yield return Get("list plans cursor too long", "/api/v1/plans?after=" + Repeat('A', 2000), 400, "after");
        yield return Get("list plans unknown parameter", "/api/v1/plans?page=2", 400, "page");
    }
}
