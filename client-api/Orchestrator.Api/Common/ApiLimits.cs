namespace Orchestrator.Api.Common;

/// <summary>
/// The bounds every REST input is held to (documented in <c>docs/api.md</c>, "Limits and errors"). A request past one
/// is refused with a 4xx naming the field and the limit; nothing is clamped silently.
/// </summary>
public static class ApiLimits
{
    /// <summary>Largest JSON or YAML request body: 1 MiB. File uploads have their own limit (<see cref="Hosting.ApiOptions.MaxUploadBytes"/>).</summary>
    public const int MaxBodyBytes = 1024 * 1024;

    /// <summary>Deepest nesting of a JSON body (objects and arrays).</summary>
    public const int MaxJsonDepth = 32;

    /// <summary>Longest id in a path or a body: plan, task instance.</summary>
    public const int MaxIdLength = 128;

    /// <summary>Longest URL (a status hook).</summary>
    public const int MaxUrlLength = 2048;

    /// <summary>Longest status hook secret.</summary>
    public const int MaxSecretLength = 512;

    /// <summary>Longest parameter value: 64 KiB of characters (the plans library's rule, which schedules and jobs share).</summary>
    public const int MaxParameterValueLength = Orchestrator.Plans.Parameters.PlanParameters.MaxValueLength;

    /// <summary>Most parameters one request may give.</summary>
    public const int MaxParameters = 256;

    /// <summary>Longest parameter name.</summary>
    public const int MaxParameterNameLength = 128;

    /// <summary>Longest reason of a control action (cancel, delete, skip, approve, ...).</summary>
    public const int MaxReasonLength = 1000;

    /// <summary>Longest caller name (a principal) a filter may name.</summary>
    public const int MaxUserLength = 128;

    /// <summary>Longest label selector in a query.</summary>
    public const int MaxSelectorLength = 4096;

    /// <summary>Longest paging cursor (<c>after</c>).</summary>
    public const int MaxCursorLength = 1024;

    /// <summary>Longest value of any other query parameter (a status list, a format).</summary>
    public const int MaxQueryValueLength = 1024;

    /// <summary>The page size a list answers when the request gives no <c>limit</c>.</summary>
    public const int DefaultPageSize = 100;

    /// <summary>Largest <c>limit</c> and <c>tail</c> of a log read, in chunks.</summary>
    public const int MaxLogChunks = 10_000;

    /// <summary>
    /// The furthest ahead a delayed run may start (<c>at</c>, <c>delay</c>, the jobs API's <c>schedule_delay</c>): 3650
    /// days, about 10 years — the plan format's longest duration (<see cref="Orchestrator.Plans.Validation.PlanLimits.MaxDuration"/>),
    /// which is also the longest wait a grain's reminder is given.
    /// </summary>
    public static readonly TimeSpan MaxDelay = Orchestrator.Plans.Validation.PlanLimits.MaxDuration;
}
