namespace Orchestrator.Engine.Tests.BadInput;

public static partial class BadInputCases
{
    private const string Run = "/api/v1/plans/{plan}/run";

    private static IEnumerable<BadInputCase> RunCases()
    {
        // The examples of issue #9.
        yield return Send("run parameter given as a number", "POST", Run, """{"parameters":{"greeting":5}}""", 400, "parameters.greeting");
        yield return Send("run delay given as a number", "POST", Run, """{"delay":5}""", 400, "delay");
        yield return Send("run misspelt parameters", "POST", Run, """{"paramters":{"greeting":"hi"}}""", 400, "paramters");

        // Types at depth, nulls, keys.
        yield return Send("run parameter null", "POST", Run, """{"parameters":{"greeting":null}}""", 400, "parameters.greeting");
        yield return Send("run parameter an object", "POST", Run, """{"parameters":{"greeting":{"a":1}}}""", 400, "parameters.greeting");
        yield return Send("run parameter a list", "POST", Run, """{"parameters":{"greeting":["a"]}}""", 400, "parameters.greeting");
        yield return Send("run parameter a boolean", "POST", Run, """{"parameters":{"greeting":true}}""", 400, "parameters.greeting");
        yield return Send("run parameters a list", "POST", Run, """{"parameters":["greeting"]}""", 400, "parameters");
        yield return Send("run parameters a string", "POST", Run, """{"parameters":"greeting=hi"}""", 400, "parameters");
        yield return Send("run parameter name with a space", "POST", Run, """{"parameters":{"bad key":"x"}}""", 400, "parameters['bad key']");
        yield return Send("run parameter the plan lacks", "POST", Run, """{"parameters":{"nope":"x"}}""", 400, "parameters.nope");
        yield return Send("run parameter value over 64 KiB", "POST", Run, $$$"""{"parameters":{"greeting":"{{{Repeat('g', 64 * 1024 + 1)}}}"}}""", 400, "parameters.greeting");
        yield return Send("run 300 parameters", "POST", Run, "{\"parameters\":{" + string.Join(",", Enumerable.Range(0, 300).Select(i => $"\"p{i}\":\"v\"")) + "}}", 400, "parameters");
        yield return Send("run parameter with a NUL", "POST", Run, """{"parameters":{"greeting":"a\u0000b"}}""", 400, "parameters.greeting");
        yield return Send("run parameter with a lone surrogate", "POST", Run, """{"parameters":{"greeting":"\ud800"}}""", 400, "parameters.greeting");
        yield return Send("run 10 MB parameter", "POST", Run, $$$"""{"parameters":{"greeting":"{{{Repeat('g', 10 * 1024 * 1024)}}}"}}""", 413, "body");

        // Version.
        yield return Send("run version zero", "POST", Run, """{"version":0}""", 400, "version");
        yield return Send("run version as a string", "POST", Run, """{"version":"1"}""", 400, "version");
        yield return Send("run version with a fraction", "POST", Run, """{"version":1.5}""", 400, "version");
        yield return Send("run version overflowing", "POST", Run, """{"version":99999999999}""", 400, "version");

        // Times and durations.
        yield return Send("run delay not a duration", "POST", Run, """{"delay":"soon"}""", 400, "delay");
        yield return Send("run delay negative", "POST", Run, """{"delay":"-5m"}""", 400, "delay");
        yield return Send("run delay negative ISO", "POST", Run, """{"delay":"-PT5M"}""", 400, "delay");
        yield return Send("run delay past ten years", "POST", Run, """{"delay":"3000000d"}""", 400, "delay");
        yield return Send("run delay one day past the longest reminder", "POST", Run, """{"delay":"3651d"}""", 400, "delay");
        yield return Send("run delay 3652 days", "POST", Run, """{"delay":"3652d"}""", 400, "delay");
        yield return Send("run delay bare number text", "POST", Run, """{"delay":"90"}""", 400, "delay");
        yield return Send("run at past ten years", "POST", Run, """{"at":"2999-01-01T00:00:00Z"}""", 400, "at");
        yield return Send("run at without an offset", "POST", Run, """{"at":"2030-01-01T00:00:00"}""", 400, "at");
        yield return Send("run at before year one in UTC", "POST", Run, """{"at":"0001-01-01T00:00:00+01:00"}""", 400, "at");
        yield return Send("run at year ten thousand", "POST", Run, """{"at":"10000-01-01T00:00:00Z"}""", 400, "at");
        yield return Send("run at as a number", "POST", Run, """{"at":1767225600}""", 400, "at");
        yield return Send("run at not a date", "POST", Run, """{"at":"tomorrow"}""", 400, "at");
        yield return Send("run at and delay", "POST", Run, """{"at":"2030-01-01T00:00:00Z","delay":"5m"}""", 400, "delay");

        // Status hook.
        yield return Send("run hook URL over 2048", "POST", Run, $$$"""{"statusHook":{"url":"https://h.example/{{{Repeat('p', 3000)}}}"}}""", 400, "statusHook.url");
        yield return Send("run hook URL of 10 MB", "POST", Run, $$$"""{"statusHook":{"url":"https://h.example/{{{Repeat('p', 10 * 1024 * 1024)}}}"}}""", 413, "body");
        yield return Send("run hook URL ftp", "POST", Run, """{"statusHook":{"url":"ftp://h.example/x"}}""", 400, "statusHook.url");
        yield return Send("run hook URL relative", "POST", Run, """{"statusHook":{"url":"/hook"}}""", 400, "statusHook.url");
        yield return Send("run hook URL with a space", "POST", Run, """{"statusHook":{"url":"http://h.example/a b"}}""", 400, "statusHook.url");
        yield return Send("run hook URL missing", "POST", Run, """{"statusHook":{"secret":"s"}}""", 400, "statusHook.url");
        yield return Send("run hook secret empty", "POST", Run, """{"statusHook":{"url":"http://h.example/","secret":""}}""", 400, "statusHook.secret");
        yield return Send("run hook secret over 512", "POST", Run, $$$"""{"statusHook":{"url":"http://h.example/","secret":"{{{Repeat('s', 513)}}}"}}""", 400, "statusHook.secret");
        yield return Send("run hook misspelt url", "POST", Run, """{"statusHook":{"uri":"http://h.example/"}}""", 400, "statusHook.uri");
        yield return Send("run hook as a string", "POST", Run, """{"statusHook":"http://h.example/"}""", 400, "statusHook");

        // The body itself.
        yield return Send("run body an array", "POST", Run, "[]", 400, "body");
        yield return Send("run body a string", "POST", Run, "\"run\"", 400, "body");
        yield return Send("run body null", "POST", Run, "null", 400, "body");
        yield return Send("run body white space", "POST", Run, "  \n ", 400, "body");
        yield return Send("run body BOM then a type error", "POST", Run, "\uFEFF{\"parameters\":{\"greeting\":5}}", 400, "parameters.greeting");
        yield return Send("run body not JSON", "POST", Run, "{\"parameters\":", 400, "body");
        yield return Send("run body trailing comma", "POST", Run, """{"version":1,}""", 400, "body");
        yield return Send("run body with a comment", "POST", Run, "{/* now */}", 400, "body");
        yield return Send("run body duplicate field", "POST", Run, """{"version":1,"version":2}""", 400, "body");
        yield return Send("run body nested 40 deep", "POST", Run, "{\"parameters\":{\"greeting\":" + Repeat('[', 40) + Repeat(']', 40) + "}}", 400, "body");
        yield return Send("run body as text/plain", "POST", Run, "{}", 415, "Content-Type", "text/plain");
        yield return Send("run body without a content type", "POST", Run, "{}", 415, "Content-Type", null);
        yield return Send("run body in latin1", "POST", Run, "{}", 415, "Content-Type", "application/json; charset=iso-8859-1");
        yield return Send("run on id of three dots", "POST", "/api/v1/plans/.../run", "{}", 400, "id");
        yield return Send("run on a legacy id that is not stored", "POST", "/api/v1/plans/_nothing-here/run", "{}", 404, null);
        yield return Send("run with a query parameter", "POST", Run + "?dryRun=true", "{}", 400, "dryRun");
    }
}
