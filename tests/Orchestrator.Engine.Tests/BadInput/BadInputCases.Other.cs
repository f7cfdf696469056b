namespace Orchestrator.Engine.Tests.BadInput;

public static partial class BadInputCases
{
    private static IEnumerable<BadInputCase> HostHookFileCases()
    {
        yield return Get("hosts selector NUL", "/api/v1/hosts?selector=%00", 400, "selector");
        yield return Get("hosts selector unclosed set", "/api/v1/hosts?selector=zone%20in%20(a", 400, "selector");
        yield return Get("hosts selector over 4096", "/api/v1/hosts?selector=a%3D" + Repeat('b', 4100), 400, "selector");
        yield return Get("hosts limit zero", "/api/v1/hosts?limit=0", 400, "limit");
        yield return Get("hosts cursor not base64url", "/api/v1/hosts?after=!!!", 400, "after");
        yield return Get("hosts misspelt selector", "/api/v1/hosts?selecter=a%3Db", 400, "selecter");
        yield return Get("host name starting with a dash", "/api/v1/hosts/-x", 400, "host");
        yield return Get("host name of 254 characters", "/api/v1/hosts/" + Repeat('h', 254), 400, "host");
        yield return Get("host name with a control character", "/api/v1/hosts/a%01b", 400, "host");

        yield return Get("parked hooks cursor NUL", "/api/v1/hooks/parked?after=%00", 400, "after");
        yield return Get("parked hooks cursor holding a NUL", "/api/v1/hooks/parked?after=" + CursorOf(1, "instance:a\0/1"u8.ToArray()), 400, "after");
        yield return Get("parked hooks limit negative", "/api/v1/hooks/parked?limit=-1", 400, "limit");
        yield return Get("instance hook id of three dots", "/api/v1/task-instances/.../hook", 400, "id");
        yield return Send("replay revision zero", "POST", Instance + "/hook/replay", """{"revision":0}""", 400, "revision");
        yield return Send("replay revision as text", "POST", Instance + "/hook/replay", """{"revision":"1"}""", 400, "revision");
        yield return Send("replay misspelt revision", "POST", Instance + "/hook/replay", """{"revison":1}""", 400, "revison");
        yield return Send("replay revision overflowing", "POST", Instance + "/hook/replay", """{"revision":99999999999999999999}""", 400, "revision");

        yield return Get("download upper-case sha256", "/api/v1/files/" + Repeat('A', 64), 400, "sha256");
        yield return Get("download short sha256", "/api/v1/files/abc", 400, "sha256");
        yield return Get("download with a query parameter", "/api/v1/files/" + Repeat('a', 64) + "?inline=1", 400, "inline");
        yield return new BadInputCase("upload over the upload limit", "POST", "/api/v1/files", 413, "body")
        {
            ContentType = "application/octet-stream",
            Bytes = new byte[BadInputFixture.MaxUploadBytes + 1],
        };
    }

    private static IEnumerable<BadInputCase> JobCases()
    {
        const string Jobs = "/api/v1/jobs";
        yield return Send("job misspelt parameters", "POST", Jobs, """{"job":{"name":"script","paramters":{},"metadata":{"kind":"Generic"}}}""", 400, "job.paramters");
        yield return Send("job misspelt job", "POST", Jobs, """{"jobs":{"name":"script"}}""", 400, "jobs");
        yield return Send("job misspelt unique", "POST", Jobs, """{"job":{"name":"script","metadata":{"kind":"Generic","uniq":true}}}""", 400, "job.metadata.uniq");
        yield return Send("job name of three dots", "POST", Jobs, """{"job":{"name":"...","metadata":{"kind":"Generic"}}}""", 400, "job.name");
        yield return Send("job name a number", "POST", Jobs, """{"job":{"name":5,"metadata":{"kind":"Generic"}}}""", 400, "job.name");
        yield return Send("job hook URL over 2048", "POST", Jobs, $$$$"""{"job":{"name":"script","status_hook":"http://h.example/{{{{Repeat('p', 3000)}}}}","metadata":{"kind":"Generic"}}}""", 400, "job.status_hook");
        yield return Send("job parameter over 64 KiB", "POST", Jobs, $$$$"""{"job":{"name":"script","parameters":{"host":"h","script":"{{{{Repeat('s', 64 * 1024 + 1)}}}}"},"metadata":{"kind":"Generic"}}}""", 400, "job.parameters.script");
        yield return Send("job parameter with a NUL", "POST", Jobs, """{"job":{"name":"script","parameters":{"host":"h","script":"a\u0000"},"metadata":{"kind":"Generic"}}}""", 400, "job.parameters.script");
        yield return Send("job schedule delay overflowing", "POST", Jobs, """{"job":{"name":"script","parameters":{"host":"h","script":"true"},"metadata":{"kind":"Scheduled","schedule_delay":99999999999}}}""", 400, "job.metadata.schedule_delay");
        yield return Send("job schedule delay in exponent form", "POST", Jobs, """{"job":{"name":"script","parameters":{"host":"h","script":"true"},"metadata":{"kind":"Scheduled","schedule_delay":"1e3"}}}""", 400, "job.metadata.schedule_delay");
        yield return Send("job script timeout over 7 days", "POST", Jobs, """{"job":{"name":"script","parameters":{"host":"h","script":"true","timeout":"8d"},"metadata":{"kind":"Generic"}}}""", 400, "job.parameters.timeout");
        yield return Send("job script timeout of 365 days in seconds", "POST", Jobs, """{"job":{"name":"script","parameters":{"host":"h","script":"true","timeout":"31536000"},"metadata":{"kind":"Generic"}}}""", 400, "job.parameters.timeout");
        yield return Send("job http timeout over 1 hour", "POST", Jobs, """{"job":{"name":"http","parameters":{"url":"http://h.example/","timeout":"2h"},"metadata":{"kind":"Generic"}}}""", 400, "job.parameters.timeout");
        yield return Send("job metadata a list", "POST", Jobs, """{"job":{"name":"script","metadata":["Generic"]}}""", 400, "job.metadata");
        yield return Send("job empty body", "POST", Jobs, "", 400, "body");
        yield return Send("job body an array", "POST", Jobs, "[]", 400, "body");
        yield return Send("job body over 1 MiB", "POST", Jobs, "{\"job\":{\"name\":\"script\",\"parameters\":{\"script\":\"" + Repeat('s', 1024 * 1024) + "\"}}}", 413, "body");
        yield return Send("job action with an extra field", "POST", Jobs + "/{instance}", """{"action":"stop","force":true}""", 400, "force");
        yield return Send("job action a number", "POST", Jobs + "/{instance}", """{"action":5}""", 400, "action");
        yield return Send("job action empty body", "POST", Jobs + "/{instance}", "", 400, "body");
        yield return Send("job action on id of three dots", "POST", Jobs + "/...", """{"action":"stop"}""", 400, "id");
        yield return Get("job id with a control character", Jobs + "/a%01b", 400, "id");
        yield return Get("job log id with a space", Jobs + "/a%20b/log", 400, "id");
        yield return Get("job log legacy id not stored", Jobs + "/-x/log", 404, null);
        yield return Get("stats query NUL", "/api/v1/stats?x=%00", 400, "x");

        // A built-in job's plan is held to the plan format's rules, and its header values are checked, before a 202.
        yield return Send("job http header value with CR LF", "POST", Jobs, HttpJob("\"headers\":{\"X-C\":\"a\\r\\nInjected: 1\"}"), 400, "job.parameters.headers.X-C");
        yield return Send("job http header value null", "POST", Jobs, HttpJob("\"headers\":{\"X-A\":null}"), 400, "job.parameters.headers.X-A");
        yield return Send("job http header value with a NUL in the headers text", "POST", Jobs, HttpJob("\"headers\":\"{\\\"X-N\\\":\\\"a\\\\u0000b\\\"}\""),
            400, "job.parameters.headers.X-N");
        yield return Send("job http header value over 8192", "POST", Jobs, HttpJob("\"header.X-Long\":\"" + Repeat('v', 8193) + "\""), 400, "job.parameters.header.X-Long");
        yield return Send("job http 65 headers", "POST", Jobs, HttpJob("\"headers\":{" + string.Join(",", Enumerable.Range(0, 65).Select(i => $"\"X-H{i}\":\"v\"")) + "}"),
            400, "job.parameters.headers");
        yield return Send("job http header the agent computes", "POST", Jobs, HttpJob("\"header.Content-Length\":\"5\""), 400, "job.parameters.header.Content-Length");
        yield return Send("job http header given twice", "POST", Jobs, HttpJob("\"header.X-T\":\"a\",\"headers\":{\"x-t\":\"b\"}"), 400, "job.parameters.headers.x-t");
        yield return Send("job http URL over 8192", "POST", Jobs, "{\"job\":{\"name\":\"http\",\"parameters\":{\"url\":\"http://h.example/" + Repeat('p', 8200) + "\"},\"metadata\":{\"kind\":\"Generic\"}}}",
            400, "job.parameters.url");
        yield return Send("job http URL ftp with credentials", "POST", Jobs, """{"job":{"name":"http","parameters":{"url":"ftp://bob:hunter2@h.example/x"},"metadata":{"kind":"Generic"}}}""",
            400, "job.parameters.url");
        yield return Send("job schedule delay past 3650 days", "POST", Jobs,
            """{"job":{"name":"script","parameters":{"host":"h","script":"true"},"metadata":{"kind":"Scheduled","schedule_delay":315446400}}}""", 400, "job.metadata.schedule_delay");
        yield return Send("job schedule delay negative text", "POST", Jobs,
            """{"job":{"name":"script","parameters":{"host":"h","script":"true"},"metadata":{"kind":"Scheduled","schedule_delay":"-0"}}}""", 400, "job.metadata.schedule_delay");
        yield return Send("job on a legacy plan id that is not stored", "POST", Jobs, """{"job":{"name":"_no-such-plan","metadata":{"kind":"Generic"}}}""", 400, "job.name");
    }

    /// <summary>An http job's body with <paramref name="parameters"/> (JSON members) after its URL.</summary>
    private static string HttpJob(string parameters) =>
        "{\"job\":{\"name\":\"http\",\"parameters\":{\"url\":\"http://h.example/\"," + parameters + "},\"metadata\":{\"kind\":\"Generic\"}}}";

    /// <summary>What no endpoint answers itself: unmatched routes, methods, and binding failures of endpoints that bind.</summary>
    private static IEnumerable<BadInputCase> SafetyNetCases()
    {
        yield return Get("unknown route", "/api/v1/nope", 404, null);
        yield return Send("method not allowed", "DELETE", "/api/v1/plans", null, 405, null);
        yield return Get("schedules list limit not a number", "/api/v1/schedules?limit=abc", 400, "limit");
        yield return Get("schedules list cursor NUL", "/api/v1/schedules?after=%00", 400, "after");
        yield return Get("schedules list limit overflowing", "/api/v1/schedules?limit=2147483648", 400, "limit");
    }
}
