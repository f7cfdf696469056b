using System.Buffers.Text;
using System.Text;

namespace Orchestrator.Engine.Tests.BadInput;

/// <summary>
/// The table of bad inputs, by area (one partial file each). Written from the rules in docs/api.md ("Limits and
/// errors"), not from the code: every rule has cases at and past its edge.
/// </summary>
public static partial class BadInputCases
{
    public const string Json = "application/json";
    public const string Yaml = "application/yaml";

    public static readonly IReadOnlyList<BadInputCase> All =
    [
        .. PlanCases(),
        .. RunCases(),
        .. InstanceCases(),
        .. HostHookFileCases(),
        .. JobCases(),
        .. AgentCases(),
        .. ScheduleCases(),
        .. SafetyNetCases(),
    ];

    private static readonly Dictionary<string, BadInputCase> ByName = All.ToDictionary(c => c.Name);

    public static BadInputCase Named(string name) => ByName[name];

    /// <summary>The case names, for xUnit (a case is found again by its name).</summary>
    public static TheoryData<string> Names()
    {
        var data = new TheoryData<string>();
        foreach (var c in All)
        {
            data.Add(c.Name);
        }
        return data;
    }

    private static BadInputCase Get(string name, string path, int status, string? field) => new(name, "GET", path, status, field);

    private static BadInputCase Send(string name, string method, string path, string? body, int status, string? field, string? contentType = Json) =>
        new(name, method, path, status, field) { Body = body, ContentType = body is null ? null : contentType };

    /// <summary>A cursor as the API writes them (base64url of a version byte and the key), with any version and key bytes.</summary>
    public static string CursorOf(byte version, byte[] key) => Base64Url.EncodeToString([version, .. key]);

    public static string CursorOf(string key) => CursorOf(1, Encoding.UTF8.GetBytes(key));

    public static string Repeat(char c, int count) => new(c, count);

    private const string GatePlan = """
        name: gate
        steps:
          - name: gate
            approval:
              required: 1
        """;
}
