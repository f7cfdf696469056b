namespace Orchestrator.Engine.Tests.BadInput;

public static partial class BadInputCases
{
    private const string Instance = "/api/v1/task-instances/{instance}";
    private const string Log = Instance + "/steps/0/targets/host-1/log";

    private static IEnumerable<BadInputCase> InstanceCases()
    {
        // Listing.
        yield return Get("list instances limit overflowing", "/api/v1/task-instances?limit=2147483648", 400, "limit");
        yield return Get("list instances limit negative", "/api/v1/task-instances?limit=-1", 400, "limit");
        yield return Get("list instances limit not a number", "/api/v1/task-instances?limit=ten", 400, "limit");
        yield return Get("list instances cursor NUL", "/api/v1/task-instances?after=%00", 400, "after");
        yield return Get("list instances cursor of zero bytes", "/api/v1/task-instances?after=AAAA", 400, "after");
        yield return Get("list instances cursor holding a control character", "/api/v1/task-instances?after=" + CursorOf("a\u0001b"), 400, "after");
        yield return Get("list instances unknown status", "/api/v1/task-instances?status=bogus", 400, "status");
        yield return Get("list instances status as a number", "/api/v1/task-instances?status=1", 400, "status");
        yield return Get("list instances two statuses", "/api/v1/task-instances?status=running,failed", 400, "status");
        yield return Get("list instances misspelt status", "/api/v1/task-instances?stauts=running", 400, "stauts");
        yield return Get("list instances status with a newline", "/api/v1/task-instances?status=running%0A", 400, "status");
        yield return Get("list instances plan not an id", "/api/v1/task-instances?plan=a%20b", 400, "plan");
        yield return Get("list instances started by nobody", "/api/v1/task-instances?by=", 400, "by");
        yield return Get("list instances from not a time", "/api/v1/task-instances?from=yesterday", 400, "from");
        yield return Get("list instances to not after from", "/api/v1/task-instances?from=2026-12-05T12:00:00Z&to=2026-12-05T11:00:00Z", 400, "to");
        yield return Get("list instances cursor of the id order", "/api/v1/task-instances?after=" + CursorOf("0123456789abcdef0123456789abcdef"), 400, "after");
        yield return Get("live runs list bad plan", "/api/v1/events/task-instances?plan=a%20b", 400, "plan");
        yield return Get("live hosts list bad selector", "/api/v1/events/hosts?selector=role%20in%20(web", 400, "selector");

        // Ids and step indexes in paths.
        yield return Get("get instance id with a control character", "/api/v1/task-instances/a%01b", 400, "id");
        yield return Get("get instance id of three dots", "/api/v1/task-instances/...", 400, "id");
        yield return Get("get instance id of 129 characters", "/api/v1/task-instances/" + Repeat('i', 129), 400, "id");
        yield return Get("get instance id with a colon", "/api/v1/task-instances/a:b", 400, "id");
        yield return Get("get instance unknown parameter", Instance + "?verbose=1", 400, "verbose");
        yield return Get("targets of step -1", Instance + "/steps/-1/targets", 400, "step");
        yield return Get("targets of step x", Instance + "/steps/x/targets", 400, "step");
        yield return Get("targets of step overflowing", Instance + "/steps/2147483648/targets", 400, "step");
        yield return Get("targets of step with a plus", Instance + "/steps/+1/targets", 400, "step");
        yield return Get("targets of an instance id with a space", "/api/v1/task-instances/a%20b/steps/0/targets", 400, "id");

        // Targets: status lists, paging.
        yield return Get("targets unknown status", Instance + "/steps/0/targets?status=nope", 400, "status");
        yield return Get("targets empty status in a list", Instance + "/steps/0/targets?status=failed,,timedOut", 400, "status");
        yield return Get("targets limit zero", Instance + "/steps/0/targets?limit=0", 400, "limit");
        yield return Get("targets limit over the maximum", Instance + "/steps/0/targets?limit=100000", 400, "limit");
        yield return Get("targets cursor NUL", Instance + "/steps/0/targets?after=%00", 400, "after");
        yield return Get("targets cursor with a space key", Instance + "/steps/0/targets?after=" + CursorOf("host 1"), 400, "after");
        yield return Get("target host with a space", Instance + "/steps/0/targets/bad%20host", 400, "host");
        yield return Get("target host starting with a dash", Instance + "/steps/0/targets/-host", 400, "host");
        yield return Get("target host of 254 characters", Instance + "/steps/0/targets/" + Repeat('h', 254), 400, "host");
        yield return Get("target of step -1", Instance + "/steps/-1/targets/host-1", 400, "step");

        // Logs: run, from, limit, tail, format.
        yield return Get("log tail negative", Log + "?tail=-1", 400, "tail");
        yield return Get("log tail zero", Log + "?tail=0", 400, "tail");
        yield return Get("log tail over the maximum", Log + "?tail=10001", 400, "tail");
        yield return Get("log from minimum long", Log + "?from=-9223372036854775808", 400, "from");
        yield return Get("log from negative", Log + "?from=-1", 400, "from");
        yield return Get("log from overflowing", Log + "?from=9223372036854775808", 400, "from");
        yield return Get("log limit negative", Log + "?limit=-1", 400, "limit");
        yield return Get("log limit over the maximum", Log + "?limit=10001", 400, "limit");
        yield return Get("log run zero", Log + "?run=0", 400, "run");
        yield return Get("log run negative", Log + "?run=-1", 400, "run");
        yield return Get("log format html", Log + "?format=html", 400, "format");
        yield return Get("log tail and from", Log + "?tail=5&from=0", 400, "tail");
        yield return Get("log of step -1", Instance + "/steps/-1/targets/host-1/log", 400, "step");

        // Control actions and their bodies.
        yield return Send("cancel reason a number", "POST", Instance + "/cancel", """{"reason":5}""", 400, "reason");
        yield return Send("cancel misspelt reason", "POST", Instance + "/cancel", """{"reasn":"x"}""", 400, "reasn");
        yield return Send("cancel reason over 1000", "POST", Instance + "/cancel", $$$"""{"reason":"{{{Repeat('r', 1001)}}}"}""", 400, "reason");
        yield return Send("cancel reason with a bell", "POST", Instance + "/cancel", """{"reason":"a\u0007b"}""", 400, "reason");
        yield return Send("cancel body an array", "POST", Instance + "/cancel", "[]", 400, "body");
        yield return Send("cancel body as text/plain", "POST", Instance + "/cancel", "{}", 415, "Content-Type", "text/plain");
        yield return Send("cancel id of three dots", "POST", "/api/v1/task-instances/.../cancel", "{}", 400, "id");
        yield return Send("delete reason over 1000", "DELETE", Instance + "?reason=" + Repeat('r', 1001), null, 400, "reason");
        yield return Send("delete reason with a NUL", "DELETE", Instance + "?reason=a%00b", null, 400, "reason");
        yield return Send("delete misspelt reason", "DELETE", Instance + "?reasons=x", null, 400, "reasons");
        yield return Send("delete id of three dots", "DELETE", "/api/v1/task-instances/...", null, 400, "id");
        yield return Send("approve step -1", "POST", Instance + "/steps/-1/approve", "{}", 400, "step");
        yield return Send("unknown step action", "POST", Instance + "/steps/0/explode", "{}", 400, "action");
        yield return Send("retry unknown set", "POST", Instance + "/steps/0/retry", """{"set":"some"}""", 400, "set");
        yield return Send("retry set a number", "POST", Instance + "/steps/0/retry", """{"set":1}""", 400, "set");
        yield return Send("retry set as a number text", "POST", Instance + "/steps/0/retry", """{"set":"1"}""", 400, "set");
        yield return Send("retry with a reason it does not take", "POST", Instance + "/steps/0/retry", """{"reason":"x"}""", 400, "reason");
        yield return Send("approve with a set it does not take", "POST", Instance + "/steps/0/approve", """{"set":"all"}""", 400, "set");
        yield return Send("approve reason a list", "POST", Instance + "/steps/0/approve", """{"reason":["a"]}""", 400, "reason");
        yield return Send("skip body not JSON", "POST", Instance + "/steps/0/skip", "{reason: x}", 400, "body");
        yield return Send("continue body over 1 MiB", "POST", Instance + "/steps/0/continue", $$$"""{"reason":"{{{Repeat('r', 1024 * 1024)}}}"}""", 413, "body");
    }
}
