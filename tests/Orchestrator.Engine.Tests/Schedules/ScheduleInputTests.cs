using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using Orchestrator.Engine.Tests.Infrastructure;
using Orchestrator.GrainInterfaces;
using Orchestrator.Runtime.Tests.Infrastructure;
using Xunit;

namespace Orchestrator.Engine.Tests.Schedules;

/// <summary>
/// Bad input to every schedules endpoint, against the real API on a PostgreSQL cluster: each case answers its 4xx
/// with a problem body whose <c>errors</c> name the field (JSON path, header or query parameter), nothing is saved,
/// and the silo still saves and fires a good schedule afterwards.
/// </summary>
[Collection(ScheduleCollection.Name)]
public sealed class ScheduleInputTests(ScheduleFixture fixture)
{
    private const string Put = "PUT";
    private const string Get = "GET";
    private const string Post = "POST";
    private const string Json = "application/json";
    private const string Schedule = "/api/v1/plans/{plan}/schedules/bad";
    private const string Preview = "/api/v1/schedules/preview";

    private EngineHarness H => fixture.Harness;

    /// <summary>Method, path ({plan} is the gate plan's id), content type, body, status, the field named, a fragment of its message.</summary>
    public static TheoryData<string, string, string?, string?, int, string, string> Cases() => new()
    {
        // The body itself.
        { Put, Schedule, Json, "", 400, "body", "Required: a JSON object" },
        { Put, Schedule, Json, "  \r\n\t ", 400, "body", "only white space" },
        { Put, Schedule, Json, "[]", 400, "body", "Expected a JSON object, found an array" },
        { Put, Schedule, Json, "\"x\"", 400, "body", "Expected a JSON object, found a string" },
        { Put, Schedule, Json, "null", 400, "body", "Expected a JSON object, found null" },
        { Put, Schedule, Json, "42", 400, "body", "Expected a JSON object, found a number" },
        { Put, Schedule, Json, "{\"cron\": ", 400, "body", "Not valid JSON" },
        { Put, Schedule, Json, "{\"cron\": \"0 1 * * *\",}", 400, "body", "Not valid JSON" },
        { Put, Schedule, Json, new string('[', 100) + new string(']', 100), 400, "body", "Not valid JSON" },
        { Put, Schedule, "text/plain", "{\"cron\": \"0 1 * * *\"}", 415, "Content-Type", "not JSON" },
        { Put, Schedule, "application/x-www-form-urlencoded", "cron=x", 415, "Content-Type", "not JSON" },
        // The content type is the API's rule: JSON in UTF-8, and said so (no Content-Type is refused, as on /run).
        { Put, Schedule, null, "{\"cron\": \"0 1 * * *\"}", 415, "Content-Type", "missing" },
        { Put, Schedule, "application/json; charset=iso-8859-1", "{\"cron\": \"0 1 * * *\"}", 415, "Content-Type", "charset 'iso-8859-1'" },
        { Post, Preview, null, "{\"cron\": \"0 1 * * *\"}", 415, "Content-Type", "missing" },
        // Fields: unknown, duplicated, wrong types.
        { Put, Schedule, Json, """{"cronn": "0 1 * * *"}""", 400, "cronn", "did you mean 'cron'" },
        { Put, Schedule, Json, """{"cron": "0 1 * * *", "cron": "0 2 * * *"}""", 400, "body", "Duplicate" },
        { Put, Schedule, Json, """{"cron": "0 1 * * *", "statusHook": {"url": "http://127.0.0.1:9/h", "url": "http://127.0.0.1:9/i"}}""", 400, "body", "Duplicate" },
        { Put, Schedule, Json, """{"cron": "0 1 * * *", "parameters": {"greeting": "a", "greeting": "b"}}""", 400, "body", "Duplicate" },
        { Put, Schedule, Json, """{"cron": "0 1 * * *", "a b": 1}""", 400, "['a b']", "Unknown field" },
        { Put, Schedule, Json, """{"cron": 5}""", 400, "cron", "Expected a string, found a number" },
        { Put, Schedule, Json, """{"cron": ["0 1 * * *"]}""", 400, "cron", "Expected a string, found an array" },
        { Put, Schedule, Json, """{"cron": null}""", 400, "cron", "Required" },
        { Put, Schedule, Json, """{"cron": "   "}""", 400, "cron", "Required" },
        { Put, Schedule, Json, """{"schedule": ""}""", 400, "schedule", "Required" },
        // A field known under two names: given twice is an error naming both; errors name the field as given.
        { Put, Schedule, Json, """{"cron": "0 1 * * *", "schedule": "0 2 * * *"}""", 400, "schedule", "'schedule' and 'cron' are two names of one field" },
        { Put, Schedule, Json, """{"cron": "0 1 * * *", "overlap": "allow", "concurrencyPolicy": "Forbid"}""", 400, "concurrencyPolicy", "'concurrencyPolicy' and 'overlap'" },
        { Put, Schedule, Json, """{"cron": "0 1 * * *", "startingDeadline": "1m", "startingDeadlineSeconds": 60}""", 400, "startingDeadlineSeconds", "'startingDeadlineSeconds' and 'startingDeadline'" },
        { Put, Schedule, Json, """{"cron": "0 1 * * *", "concurrencyPolicy": "Sometimes"}""", 400, "concurrencyPolicy", "allow, forbid, replace, bufferOne" },
        { Put, Schedule, Json, """{"cron": "0 1 * * *", "startingDeadlineSeconds": "soon"}""", 400, "startingDeadlineSeconds", "is not a duration from 1s to 366d" },
        { Put, Schedule, Json, """{"cron": "0 1 * * *", "successfulJobsHistoryLimit": -1}""", 400, "successfulJobsHistoryLimit", "from 0 to 1000" },
        { Put, Schedule, Json, """{"schedule": 5}""", 400, "schedule", "Expected a string, found a number" },
        { Put, Schedule, Json, """{"cron": "0 1 * * *", "suspend": "yes"}""", 400, "suspend", "true or false" },
        { Put, Schedule, Json, """{"cron": "0 1 * * *", "successfulHistoryLimit": "3"}""", 400, "successfulHistoryLimit", "whole number" },
        { Put, Schedule, Json, """{"cron": "0 1 * * *", "planVersion": 1.5}""", 400, "planVersion", "whole number" },
        { Put, Schedule, Json, """{"cron": "0 1 * * *", "parameters": []}""", 400, "parameters", "Expected an object, found an array" },
        { Put, Schedule, Json, """{"cron": "0 1 * * *", "parameters": {"greeting": {"a": 1}}}""", 400, "parameters.greeting", "Expected a string, found an object" },
        // Parameter values are strings, as on /run.
        { Put, Schedule, Json, """{"cron": "0 1 * * *", "parameters": {"greeting": 5}}""", 400, "parameters.greeting", "Expected a string, found a number" },
        { Put, Schedule, Json, """{"cron": "0 1 * * *", "parameters": {"greeting": true}}""", 400, "parameters.greeting", "Expected a string, found a boolean" },
        { Put, Schedule, Json, """{"cron": "0 1 * * *", "parameters": {"greeting": null}}""", 400, "parameters.greeting", "found null" },
        { Put, Schedule, Json, """{"cron": "0 1 * * *", "parameters": {"1st": "x"}}""", 400, "parameters.1st", "is not a parameter name" },
        { Put, Schedule, Json, "{\"cron\": \"0 1 * * *\", \"parameters\": {\"greeting\": \"" + new string('g', 65537) + "\"}}", 400, "parameters.greeting", "Longer than 65536 characters" },
        { Put, Schedule, Json, """{"cron": "0 1 * * *", "statusHook": "http://127.0.0.1:9/h"}""", 400, "statusHook", "Expected an object, found a string" },
        { Put, Schedule, Json, """{"cron": "0 1 * * *", "statusHook": {"url": "http://127.0.0.1:9/h", "urll": 1}}""", 400, "statusHook.urll", "did you mean 'url'" },
        { Put, Schedule, Json, """{"cron": "0 1 * * *", "statusHook": {"secret": "s"}}""", 400, "statusHook.url", "Required" },
        { Put, Schedule, Json, """{"cron": "0 1 * * *", "statusHook": {"url": 5}}""", 400, "statusHook.url", "Expected a string, found a number" },
        // The hook is read by the run endpoint's reader: the same URL rule and the same limits.
        { Put, Schedule, Json, """{"cron": "0 1 * * *", "statusHook": {"url": "http://127.0.0.1:9/a b"}}""", 400, "statusHook.url", "is not an absolute http or https URL" },
        { Put, Schedule, Json, """{"cron": "0 1 * * *", "statusHook": {"url": "http:///h"}}""", 400, "statusHook.url", "is not an absolute http or https URL" },
        { Put, Schedule, Json, """{"cron": "0 1 * * *", "statusHook": {"url": "ftp://127.0.0.1/h"}}""", 400, "statusHook.url", "is not an absolute http or https URL" },
        { Put, Schedule, Json, """{"cron": "0 1 * * *", "statusHook": {"url": "http://127.0.0.1:9/h", "secret": ""}}""", 400, "statusHook.secret", "1 to 512" },
        { Put, Schedule, Json, "{\"cron\": \"0 1 * * *\", \"statusHook\": {\"url\": \"http://127.0.0.1:9/h\", \"secret\": \"" + new string('s', 513) + "\"}}", 400, "statusHook.secret", "Longer than 512 characters" },
        // Cron.
        { Put, Schedule, Json, """{"cron": "0 0 30 2 *"}""", 400, "cron", "never matches" },
        { Put, Schedule, Json, """{"cron": "0 0 30 2 MON", "dayMatching": "both"}""", 400, "cron", "never matches" },
        { Put, Schedule, Json, """{"cron": "61 * * * *"}""", 400, "cron", "out of range" },
        { Put, Schedule, Json, "{\"cron\": \"" + string.Join(",", Enumerable.Repeat("1", 600)) + " * * * *\"}", 400, "cron", "at most 1024 characters" },
        { Put, Schedule, Json, """{"cron": "0 1 * * *", "dayMatching": "sometimes"}""", 400, "dayMatching", "either, both" },
        { Put, Schedule, Json, """{"cron": "0 1 * * *", "dayMatching": 1}""", 400, "dayMatching", "found a number" },
        { Put, Schedule, Json, """{"cron": "0 1 * * *", "dayMatching": "either,both"}""", 400, "dayMatching", "either, both" },
        // Time zones: only real IANA zones.
        { Put, Schedule, Json, """{"cron": "0 1 * * *", "timeZone": "America"}""", 400, "timeZone", "not a known IANA time zone" },
        { Put, Schedule, Json, """{"cron": "0 1 * * *", "timeZone": "Europe"}""", 400, "timeZone", "not a known IANA time zone" },
        { Put, Schedule, Json, """{"cron": "0 1 * * *", "timeZone": "../etc/passwd"}""", 400, "timeZone", "not an IANA time zone id" },
        { Put, Schedule, Json, """{"cron": "0 1 * * *", "timeZone": "/etc/passwd"}""", 400, "timeZone", "not an IANA time zone id" },
        { Put, Schedule, Json, """{"cron": "0 1 * * *", "timeZone": "posixrules"}""", 400, "timeZone", "not a time zone" },
        { Put, Schedule, Json, """{"cron": "0 1 * * *", "timeZone": "Factory"}""", 400, "timeZone", "not a time zone" },
        { Put, Schedule, Json, """{"cron": "0 1 * * *", "timeZone": "posix/Europe/London"}""", 400, "timeZone", "not a time zone" },
        { Put, Schedule, Json, """{"cron": "0 1 * * *", "timeZone": ""}""", 400, "timeZone", "required" },
        { Put, Schedule, Json, """{"cron": "0 1 * * *", "timeZone": "utc"}""", 400, "timeZone", "did you mean 'UTC'" },
        { Put, Schedule, Json, """{"cron": "0 1 * * *", "timeZone": "Pacific Standard Time"}""", 400, "timeZone", "not an IANA time zone id" },
        { Put, Schedule, Json, "{\"cron\": \"0 1 * * *\", \"timeZone\": \"" + new string('A', 200) + "\"}", 400, "timeZone", "Longer than 64 characters" },
        { Put, Schedule, Json, """{"cron": "0 1 * * *", "timeZone": "Europe/London\u0000"}""", 400, "timeZone", "NUL" },
        { Put, Schedule, Json, """{"cron": "0 1 * * *", "timeZone": 5}""", 400, "timeZone", "Expected a string, found a number" },
        // Durations and limits.
        { Put, Schedule, Json, """{"cron": "0 1 * * *", "startingDeadline": "3000000d"}""", 400, "startingDeadline", "366d" },
        { Put, Schedule, Json, """{"cron": "0 1 * * *", "startingDeadline": "500ms"}""", 400, "startingDeadline", "1s to 366d" },
        { Put, Schedule, Json, """{"cron": "0 1 * * *", "startingDeadline": 0}""", 400, "startingDeadline", "'0' is not a duration from 1s to 366d" },
        { Put, Schedule, Json, """{"cron": "0 1 * * *", "startingDeadline": -5}""", 400, "startingDeadline", "'-5' is not a duration from 1s to 366d" },
        { Put, Schedule, Json, """{"cron": "0 1 * * *", "startingDeadline": 1.5}""", 400, "startingDeadline", "is not a duration from 1s to 366d" },
        { Put, Schedule, Json, """{"cron": "0 1 * * *", "startingDeadline": true}""", 400, "startingDeadline", "found a boolean" },
        { Put, Schedule, Json, """{"cron": "0 1 * * *", "startingDeadlineSeconds": 2147483647}""", 400, "startingDeadlineSeconds", "366d" },
        { Put, Schedule, Json, """{"cron": "0 1 * * *", "startingDeadline": "P400D"}""", 400, "startingDeadline", "366d" },
        { Put, Schedule, Json, """{"cron": "0 1 * * *", "startingDeadline": "soon"}""", 400, "startingDeadline", "'soon' is not a duration from 1s to 366d" },
        { Put, Schedule, Json, """{"cron": "0 1 * * *", "catchUpWindow": "400d"}""", 400, "catchUpWindow", "366d" },
        { Put, Schedule, Json, """{"cron": "0 1 * * *", "catchUpWindow": -1}""", 400, "catchUpWindow", "is not a duration from 1s to 366d" },
        { Put, Schedule, Json, """{"cron": "0 1 * * *", "successfulHistoryLimit": 1001}""", 400, "successfulHistoryLimit", "from 0 to 1000" },
        { Put, Schedule, Json, """{"cron": "0 1 * * *", "failedJobsHistoryLimit": 2147483648}""", 400, "failedJobsHistoryLimit", "from 0 to 1000" },
        { Put, Schedule, Json, """{"cron": "0 1 * * *", "planVersion": 0}""", 400, "planVersion", "from 1" },
        { Put, Schedule, Json, "{\"cron\": \"0 1 * * *\", \"description\": \"" + new string('d', 1001) + "\"}", 400, "description", "Longer than 1000 characters" },
        { Put, Schedule, Json, """{"cron": "0 1 * * *", "description": "a\u0007b"}""", 400, "description", "control characters" },
        { Put, Schedule, Json, """{"cron": "0 1 * * *", "description": "a\ud800b"}""", 400, "description", "lone surrogate" },
        { Put, Schedule, Json, "{\"cron\": \"0 1 * * *\", \"statusHook\": {\"url\": \"http://example.com/" + new string('x', 3000) + "\"}}", 400, "statusHook.url", "Longer than 2048 characters" },
        // Names in the path, and the If-Match header.
        { Put, "/api/v1/plans/{plan}/schedules/-bad", Json, """{"cron": "0 1 * * *"}""", 400, "name", "not a valid schedule name" },
        { Put, "/api/v1/plans/{plan}/schedules/" + new string('n', 64), Json, """{"cron": "0 1 * * *"}""", 400, "name", "1 to 63" },
        { Put, "/api/v1/plans/{plan}/schedules/a%20b", Json, """{"cron": "0 1 * * *"}""", 400, "name", "not a valid schedule name" },
        // (Kestrel itself refuses a path with %00 before the API sees it.)
        { Put, "/api/v1/plans/{plan}/schedules/x%01", Json, """{"cron": "0 1 * * *"}""", 400, "name", "\\u0001" },
        { Put, "/api/v1/plans/{plan}/schedules/caf%C3%A9", Json, """{"cron": "0 1 * * *"}""", 400, "name", "not a valid schedule name" },
        // A new schedule's name starts with a letter or digit (existing ones keep their names: see ExistingSchedule_…).
        { Put, "/api/v1/plans/{plan}/schedules/.hidden", Json, """{"cron": "0 1 * * *"}""", 400, "name", "not a valid schedule name" },
        { Put, "/api/v1/plans/{plan}/schedules/_new", Json, """{"cron": "0 1 * * *"}""", 400, "name", "starting with a letter or digit" },
        { Put, "/api/v1/plans/p%C3%A9/schedules/ok", Json, """{"cron": "0 1 * * *"}""", 400, "planId", "not a valid id" },
        { Get, "/api/v1/plans/{plan}/schedules/caf%C3%A9", null, null, 400, "name", "not a valid id" },
        { Get, "/api/v1/plans/{plan}/schedules/" + new string('n', 129), null, null, 400, "name", "not a valid id" },
        { "DELETE", "/api/v1/plans/{plan}/schedules/caf%C3%A9", null, null, 400, "name", "not a valid id" },
        { Post, "/api/v1/plans/{plan}/schedules/caf%C3%A9/run", null, null, 400, "name", "not a valid id" },
        { Post, "/api/v1/plans/{plan}/schedules/caf%C3%A9/suspend", null, null, 400, "name", "not a valid id" },
        { Post, "/api/v1/plans/{plan}/schedules/caf%C3%A9/resume", null, null, 400, "name", "not a valid id" },
        { Get, "/api/v1/plans/{plan}/schedules/caf%C3%A9/preview", null, null, 400, "name", "not a valid id" },
        // Query parameters of known names: parsed as text, refused by name.
        { Get, "/api/v1/plans/{plan}/schedules/bad?preview=abc", null, null, 400, "preview", "whole number" },
        { Get, "/api/v1/plans/{plan}/schedules/bad?preview=-1", null, null, 400, "preview", "from 0 to 1000" },
        { Get, "/api/v1/plans/{plan}/schedules/bad?preview=1001", null, null, 400, "preview", "from 0 to 1000" },
        { Get, "/api/v1/plans/{plan}/schedules/bad/preview?count=-1", null, null, 400, "count", "from 1 to 1000" },
        { Get, "/api/v1/plans/{plan}/schedules/bad/preview?count=abc", null, null, 400, "count", "whole number" },
        { Get, "/api/v1/plans/{plan}/schedules/bad/preview?count=0", null, null, 400, "count", "from 1 to 1000" },
        { Get, "/api/v1/plans/{plan}/schedules/bad/preview?count=2147483648", null, null, 400, "count", "whole number" },
        { Get, "/api/v1/plans/{plan}/schedules/bad/preview?count=1&count=2", null, null, 400, "count", "give it once" },
        { Get, "/api/v1/plans/{plan}/schedules/bad/preview?from=0001-01-01T00:00:00Z", null, null, 400, "from", "from 1970-01-01" },
        { Get, "/api/v1/plans/{plan}/schedules/bad/preview?from=9999-12-31T23:59:59Z", null, null, 400, "from", "9999-01-01" },
        { Get, "/api/v1/plans/{plan}/schedules/bad/preview?from=-9223372036854775808", null, null, 400, "from", "RFC 3339" },
        { Get, "/api/v1/plans/{plan}/schedules/bad/preview?from=12:00", null, null, 400, "from", "RFC 3339" },
        { Get, "/api/v1/plans/{plan}/schedules/bad/preview?from=tomorrow", null, null, 400, "from", "RFC 3339" },
        // A time is RFC 3339 with its offset, as in bodies (at on /run): no time is read as UTC or local by guess.
        { Get, "/api/v1/plans/{plan}/schedules/bad/preview?from=2030-01-01T09:00:00", null, null, 400, "from", "with an offset" },
        // Unknown query parameters are refused, with the name probably meant, on every schedules endpoint.
        { Put, Schedule + "?bogus=1", Json, """{"cron": "0 1 * * *"}""", 400, "bogus", "Unknown query parameter" },
        { Get, "/api/v1/plans/{plan}/schedules/bad?previw=3", null, null, 400, "previw", "did you mean 'preview'" },
        { Get, "/api/v1/plans/{plan}/schedules/bad/preview?cout=3", null, null, 400, "cout", "did you mean 'count'" },
        { "DELETE", "/api/v1/plans/{plan}/schedules/bad?force=1", null, null, 400, "force", "Unknown query parameter" },
        { Post, "/api/v1/plans/{plan}/schedules/bad/run?now=1", null, null, 400, "now", "Unknown query parameter" },
        { Post, "/api/v1/plans/{plan}/schedules/bad/suspend?x=1", null, null, 400, "x", "Unknown query parameter" },
        { Post, "/api/v1/plans/{plan}/schedules/bad/resume?x=1", null, null, 400, "x", "Unknown query parameter" },
        { Get, "/api/v1/schedules?limt=5", null, null, 400, "limt", "did you mean 'limit'" },
        { Get, "/api/v1/plans/{plan}/schedules?aftr=x", null, null, 400, "aftr", "did you mean 'after'" },
        { Post, Preview + "?count=3", Json, """{"cron": "0 1 * * *"}""", 400, "count", "Unknown query parameter" },
        { Get, "/api/v1/schedules?limit=-1", null, null, 400, "limit", "whole number" },
        { Get, "/api/v1/schedules?limit=0", null, null, 400, "limit", "from 1" },
        { Get, "/api/v1/schedules?limit=abc", null, null, 400, "limit", "whole number" },
        { Get, "/api/v1/schedules?limit=2147483648", null, null, 400, "limit", "whole number" },
        { Get, "/api/v1/schedules?after=%00", null, null, 400, "after", "control character" },
        { Get, "/api/v1/schedules?after=p/%00", null, null, 400, "after", "control character" },
        { Get, "/api/v1/schedules?after=p/x", null, null, 400, "after", "not a paging cursor" },
        { Get, "/api/v1/schedules?after=AXAveC95", null, null, 400, "after", "not one of this list" },
        { Get, "/api/v1/plans/{plan}/schedules?after=%00", null, null, 400, "after", "control character" },
        { Get, "/api/v1/plans/{plan}/schedules?after=AW90aGVyL3g", null, null, 400, "after", "not one of this list" },
        { Get, "/api/v1/plans/{plan}/schedules?limit=100000", null, null, 400, "limit", "from 1 to 1000" },
        // POST /api/v1/schedules/preview.
        { Post, Preview, Json, "", 400, "body", "Required: a JSON object" },
        { Post, Preview, Json, "[]", 400, "body", "Expected a JSON object, found an array" },
        { Post, Preview, "text/plain", "{}", 415, "Content-Type", "not JSON" },
        { Post, Preview, Json, """{"timeZone": "UTC"}""", 400, "cron", "Required" },
        { Post, Preview, Json, """{"cron": 1}""", 400, "cron", "Expected a string, found a number" },
        { Post, Preview, Json, """{"cronn": "0 1 * * *"}""", 400, "cronn", "did you mean 'cron'" },
        { Post, Preview, Json, """{"cron": "0 1 * * *", "timeZone": "America"}""", 400, "timeZone", "not a known IANA time zone" },
        { Post, Preview, Json, """{"cron": "0 1 * * *", "timeZone": "Europe/London\u0000"}""", 400, "timeZone", "NUL" },
        { Post, Preview, Json, """{"cron": "0 1 * * *", "count": 0}""", 400, "count", "from 1 to 1000" },
        { Post, Preview, Json, """{"cron": "0 1 * * *", "count": 1001}""", 400, "count", "from 1 to 1000" },
        { Post, Preview, Json, """{"cron": "0 1 * * *", "count": "abc"}""", 400, "count", "whole number" },
        { Post, Preview, Json, """{"cron": "0 1 * * *", "from": "0001-01-01T00:00:00Z"}""", 400, "from", "from 1970-01-01" },
        { Post, Preview, Json, """{"cron": "0 1 * * *", "from": "9999-12-31T23:59:59.9999999+00:00"}""", 400, "from", "9999-01-01" },
        { Post, Preview, Json, """{"cron": "0 1 * * *", "from": 1700000000}""", 400, "from", "Expected a string, found a number" },
        { Post, Preview, Json, """{"cron": "0 1 * * *", "from": "2030-01-01T09:00:00"}""", 400, "from", "with an offset" },
        { Post, Preview, Json, """{"cron": "0 1 * * *", "dayMatching": "sometimes"}""", 400, "dayMatching", "either, both" },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task BadInput_IsRefused_NamingTheField(string method, string path, string? contentType, string? body, int status, string field, string message)
    {
        var plan = await H.PutPlanAsync(ScheduleFixture.GatePlan);
        var (code, problem) = await SendAsync(method, path.Replace("{plan}", plan, StringComparison.Ordinal), contentType, body is null ? null : Encoding.UTF8.GetBytes(body));

        AssertNamesField(code, problem, status, field, message);
        using var absent = await H.Http.GetAsync($"/api/v1/plans/{plan}/schedules/bad");
        Assert.Equal(HttpStatusCode.NotFound, absent.StatusCode);
    }

    [Fact]
    public async Task BodyOverOneMebibyte_IsRefused_413NamingBody()
    {
        var plan = await H.PutPlanAsync(ScheduleFixture.GatePlan);
        var huge = Encoding.UTF8.GetBytes("{\"cron\": \"0 1 * * *\", \"description\": \"" + new string('d', 1024 * 1024) + "\"}");

        var (code, problem) = await SendAsync(Put, $"/api/v1/plans/{plan}/schedules/bad", Json, huge);

        AssertNamesField(code, problem, 413, "body", "larger than the limit of 1 MiB");
        Assert.Equal("The request body is too large.", JsonNode.Parse(problem)!["title"]!.GetValue<string>());
    }

    [Fact]
    public async Task ByteOrderMark_IsAccepted()
    {
        var plan = await H.PutPlanAsync(ScheduleFixture.GatePlan);
        var body = Encoding.UTF8.GetPreamble().Concat(Encoding.UTF8.GetBytes("""{"cron": "0 1 * * *", "timeZone": "Europe/London"}""")).ToArray();

        var (code, text) = await SendAsync(Put, $"/api/v1/plans/{plan}/schedules/bom", Json, body);

        Assert.True(code == 201, $"{code} {text}");
        var saved = await H.GetScheduleAsync(plan, "bom");
        Assert.Equal("Europe/London", saved["spec"]!["timeZone"]!.GetValue<string>());
        await H.DeleteScheduleAsync(plan, "bom");
    }

    [Fact]
    public async Task IfMatch_MoreThanOneValue_IsRefusedNamingTheHeader()
    {
        var plan = await H.PutPlanAsync(ScheduleFixture.GatePlan);
        await H.PutScheduleAsync(plan, "cond", new { cron = "0 1 * * *" });
        foreach (var values in new[] { new[] { "\"1\"", "\"2\"" }, ["\"1\", \"2\""], ["*"], ["\"x\""] })
        {
            using var request = new HttpRequestMessage(HttpMethod.Put, $"/api/v1/plans/{plan}/schedules/cond")
            {
                Content = new StringContent("""{"cron": "0 2 * * *"}""", Encoding.UTF8, Json),
            };
            foreach (var value in values)
            {
                request.Headers.TryAddWithoutValidation("If-Match", value);
            }
            using var response = await H.Http.SendAsync(request);

            AssertNamesField((int)response.StatusCode, await response.Content.ReadAsStringAsync(), 400, "If-Match", "is not a schedule revision");
        }
        // Nothing was saved by the refused requests; one value is still the condition it was.
        Assert.Equal("0 1 * * *", (await H.GetScheduleAsync(plan, "cond"))["spec"]!["cron"]!.GetValue<string>());
        using var good = new HttpRequestMessage(HttpMethod.Put, $"/api/v1/plans/{plan}/schedules/cond") { Content = new StringContent("""{"cron": "0 2 * * *"}""", Encoding.UTF8, Json) };
        good.Headers.TryAddWithoutValidation("If-Match", "W/\"1\"");
        using (var ok = await H.Http.SendAsync(good))
        {
            Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
        }
        await H.DeleteScheduleAsync(plan, "cond");
    }

    [Fact]
    public async Task ExistingSchedule_NamedUnderTheOldRule_StaysReachable_ButNoNewOneIsMadeSo()
    {
        // Saved as an earlier version could (its names could start with '_', '-' or '.'): straight to the grain.
        var plan = await H.PutPlanAsync(ScheduleFixture.GatePlan);
        foreach (var name in new[] { "_nightly", "-old", ".hidden" })
        {
            var requestId = Guid.NewGuid().ToString("N");
            var grain = H.Client.GetGrain<IScheduleGrain>(GrainKeys.Schedule(plan, name));
            await grain.Save(new SaveSchedule(requestId, plan, name, new ScheduleSpec { Cron = "0 1 * * *" }, null, "test"));
            await Eventually.Until(() => grain.GetRequestResultAsync(requestId).AsTask(), r => r is { Ok: true }, ScheduleFixture.Wait, $"schedule {name} saved");
        }

        foreach (var name in new[] { "_nightly", "-old", ".hidden" })
        {
            Assert.Equal("0 1 * * *", (await H.GetScheduleAsync(plan, name))["spec"]!["cron"]!.GetValue<string>());
            await H.PutScheduleAsync(plan, name, new { cron = "0 2 * * *" });
            Assert.Equal(2, (await H.GetScheduleAsync(plan, name))["revision"]!.GetValue<int>());
            using (var suspend = await H.Http.PostAsync($"/api/v1/plans/{plan}/schedules/{name}/suspend", null))
            {
                Assert.Equal(HttpStatusCode.OK, suspend.StatusCode);
            }
            using (var preview = await H.Http.GetAsync($"/api/v1/plans/{plan}/schedules/{name}/preview?count=1"))
            {
                Assert.Equal(HttpStatusCode.OK, preview.StatusCode);
            }
            await H.DeleteScheduleAsync(plan, name);

            // Once deleted, the name is new again: the strict rule applies.
            var (code, problem) = await SendAsync(Put, $"/api/v1/plans/{plan}/schedules/{name}", Json, Encoding.UTF8.GetBytes("""{"cron": "0 1 * * *"}"""));
            AssertNamesField(code, problem, 400, "name", "starting with a letter or digit");
        }
    }

    [Fact]
    public async Task StatusHook_SecretOfTheRunLimit_IsAccepted()
    {
        var plan = await H.PutPlanAsync(ScheduleFixture.GatePlan);
        var secret = new string('s', 512);

        await H.PutScheduleAsync(plan, "hook", new { cron = "0 1 * * *", statusHook = new { url = "http://127.0.0.1:9/h", secret } });

        var view = await H.GetScheduleAsync(plan, "hook");
        Assert.Equal("***", view["spec"]!["statusHook"]!["secret"]!.GetValue<string>());
        await H.DeleteScheduleAsync(plan, "hook");
    }

    /// <summary>
    /// A hostile body costs the server bounded work and answers a small 4xx: a map past its bound is one error, unknown
    /// fields past a few are counted, and a long name is cut wherever it is echoed (paths and messages).
    /// </summary>
    [Theory]
    [InlineData("parameters", "60000 unknown parameters")]
    [InlineData("body", "60000 unknown fields")]
    [InlineData("['nnnnnnnn", "a 400 KB field name")]
    [InlineData("parameters['nnnnnnnn", "a 400 KB parameter name")]
    [InlineData("statusHook['nnnnnnnn", "a 400 KB field name in the hook")]
    public async Task HostileBody_IsRefusedWithASmallAnswer(string path, string what)
    {
        var plan = await H.PutPlanAsync(ScheduleFixture.GatePlan);
        var name = new string('n', 400 * 1024);
        var body = what switch
        {
            "60000 unknown parameters" => "{\"cron\": \"0 1 * * *\", \"parameters\": {" + string.Join(",", Enumerable.Range(0, 60_000).Select(i => $"\"p{i}\":\"v\"")) + "}}",
            "60000 unknown fields" => "{\"cron\": \"0 1 * * *\", " + string.Join(",", Enumerable.Range(0, 60_000).Select(i => $"\"f{i}\":1")) + "}",
            "a 400 KB field name" => "{\"cron\": \"0 1 * * *\", \"" + name + "\": 1}",
            "a 400 KB parameter name" => "{\"cron\": \"0 1 * * *\", \"parameters\": {\"" + name + "\": \"v\"}}",
            _ => "{\"cron\": \"0 1 * * *\", \"statusHook\": {\"url\": \"http://127.0.0.1:9/h\", \"" + name + "\": 1}}",
        };
        Assert.InRange(body.Length, 400 * 1024, ApiLimitsMaxBodyBytes);

        var (code, problem) = await SendAsync(Put, $"/api/v1/plans/{plan}/schedules/bad", Json, Encoding.UTF8.GetBytes(body));

        Assert.Equal(400, code);
        Assert.True(problem.Length < 8192, $"{what}: a {problem.Length}-character answer: {problem[..Math.Min(problem.Length, 600)]}");
        var errors = JsonNode.Parse(problem)!["errors"]!.AsArray();
        Assert.Contains(errors, e => e!["path"]!.GetValue<string>().StartsWith(path, StringComparison.Ordinal));
    }

    private const int ApiLimitsMaxBodyBytes = Orchestrator.Api.Common.ApiLimits.MaxBodyBytes;

    [Theory]
    [InlineData("0 0 1 1 *", "9999-01-01T00:00:00Z", 5, 0)]       // the next 1 January is past the calendar's end
    [InlineData("*/20 * * * *", "9999-01-01T00:00:00Z", 1000, 1000)]
    [InlineData("0 0 * * *", "9998-12-25T00:00:00Z", 1000, 369)]  // daily until 9999-12-29, then no more
    [InlineData("0 0 1 1 *", "1970-01-01T00:00:00Z", 3, 3)]
    public async Task Preview_AtTheEdgesOfTheCalendar_StopsCleanly(string cron, string from, int count, int expected)
    {
        using var response = await H.Http.PostAsync(Preview, new StringContent($$"""{"cron": "{{cron}}", "from": "{{from}}", "count": {{count}}}""", Encoding.UTF8, Json));
        var text = await response.Content.ReadAsStringAsync();

        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{(int)response.StatusCode} {text}");
        Assert.Equal(expected, JsonNode.Parse(text)!["fires"]!.AsArray().Count);
    }

    [Fact]
    public async Task AfterBadInput_TheSiloStillSavesAndFiresAGoodSchedule()
    {
        var plan = await H.PutPlanAsync(ScheduleFixture.GatePlan);
        foreach (var (body, field) in new[]
        {
            ("", "body"),
            ("""{"cron": "0 1 * * *", "timeZone": "America"}""", "timeZone"),
            ("""{"cron": "0 1 * * *", "timeZone": "Europe/London\u0000"}""", "timeZone"),
            ("""{"cron": "0 1 * * *", "startingDeadline": "3000000d"}""", "startingDeadline"),
        })
        {
            var (code, problem) = await SendAsync(Put, $"/api/v1/plans/{plan}/schedules/s", Json, Encoding.UTF8.GetBytes(body));
            AssertNamesField(code, problem, 400, field, "");
        }

        await H.PutScheduleAsync(plan, "s", new { cron = "*/10 * * * *", overlap = "allow" });
        var first = fixture.Clock.NextMark(TimeSpan.FromMinutes(10), 0);
        fixture.Clock.AdvanceTo(first.AddSeconds(1));
        var s = await H.WaitForScheduleAsync(plan, "s", x => ScheduleCalls.Runs(x).Any(r => r!["dueTime"]?.GetValue<DateTimeOffset>() == first), "a run of the good schedule");
        Assert.Equal("either", s["spec"]!["dayMatching"]!.GetValue<string>());
        await H.DeleteScheduleAsync(plan, "s");
    }

    private async Task<(int Status, string Body)> SendAsync(string method, string path, string? contentType, byte[]? body)
    {
        using var request = new HttpRequestMessage(new HttpMethod(method), path);
        if (body is not null)
        {
            request.Content = new ByteArrayContent(body);
            if (contentType is not null)
            {
                request.Content.Headers.ContentType = MediaTypeHeaderValue.Parse(contentType);
            }
        }
        using var response = await H.Http.SendAsync(request);
        return ((int)response.StatusCode, await response.Content.ReadAsStringAsync());
    }

    private static void AssertNamesField(int code, string body, int status, string field, string message)
    {
        Assert.True(code == status, $"expected {status}, got {code}: {body}");
        Assert.False(string.IsNullOrWhiteSpace(body), "empty body");
        var errors = JsonNode.Parse(body)!["errors"]!.AsArray();
        var error = errors.FirstOrDefault(e => e!["path"]!.GetValue<string>() == field);
        Assert.True(error is not null, $"no error for '{field}' in {body}");
        Assert.Contains(message, error!["message"]!.GetValue<string>(), StringComparison.Ordinal);
    }
}
