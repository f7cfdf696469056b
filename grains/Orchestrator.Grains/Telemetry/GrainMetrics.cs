using Orchestrator.GrainInterfaces;
using Orchestrator.Grains.Common;
using Orchestrator.Runtime.Telemetry;

namespace Orchestrator.Grains.Telemetry;

/// <summary>
/// The grains' transitions counted into <see cref="OrchestratorMetrics"/>, with each status's tag value made once
/// (no string per call: a 100,000-host fan-out counts 100,000 target transitions). Counted in the turn that makes
/// the transition; a turn whose write then fails is retried by its caller and may count again (rare: a database error).
/// </summary>
internal static class GrainMetrics
{
    private static readonly string[] ExecutionNames = Names<ExecutionStatus>();
    private static readonly string[] TargetNames = Names<TargetStatus>();

    public static void Instance(ExecutionStatus status) => OrchestratorMetrics.Instances.Add(1, OrchestratorMetrics.Status(Name(ExecutionNames, (int)status)));

    public static void Step(ExecutionStatus status) => OrchestratorMetrics.Steps.Add(1, OrchestratorMetrics.Status(Name(ExecutionNames, (int)status)));

    public static void Target(TargetStatus status) => OrchestratorMetrics.Targets.Add(1, OrchestratorMetrics.Status(Name(TargetNames, (int)status)));

    /// <summary>Seconds from <paramref name="from"/> to <paramref name="to"/>, never negative (host clocks differ).</summary>
    public static double Seconds(DateTimeOffset from, DateTimeOffset to) => Math.Max(0, (to - from).TotalSeconds);

    private static string Name(string[] names, int value) => (uint)value < (uint)names.Length ? names[value] ?? "unknown" : "unknown";

    private static string[] Names<T>()
        where T : struct, Enum
    {
        var values = Enum.GetValues<T>();
        var names = new string[values.Max(v => Convert.ToInt32(v, System.Globalization.CultureInfo.InvariantCulture)) + 1];
        foreach (var value in values)
        {
            names[Convert.ToInt32(value, System.Globalization.CultureInfo.InvariantCulture)] = EnumText.Camel(value);
        }
        return names;
    }
}
