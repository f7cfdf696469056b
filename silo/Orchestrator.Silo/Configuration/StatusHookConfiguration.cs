using System.Globalization;
using Orchestrator.Grains.Hooks;

namespace Orchestrator.Silo;

/// <summary>
/// Reads <see cref="StatusHookOptions"/> from, in rising precedence, appsettings.json (section "StatusHooks") and
/// <c>ORCH_HOOK_*</c> environment variables: <c>ORCH_HOOK_DEFAULT_SECRET</c>, <c>ORCH_HOOK_ATTEMPT_TIMEOUT</c>,
/// <c>ORCH_HOOK_INITIAL_BACKOFF</c>, <c>ORCH_HOOK_MAX_BACKOFF</c>, <c>ORCH_HOOK_MAX_RETRY_DURATION</c> (durations as
/// <c>00:00:10</c>), <c>ORCH_HOOK_BLOCK_PRIVATE_NETWORKS</c> (true or false). An unreadable value fails the start with the setting's name; the validator checks the rest.
/// </summary>
public static class StatusHookConfiguration
{
    public static void Apply(StatusHookOptions options, IConfiguration configuration, IReadOnlyDictionary<string, string?> environment)
    {
        ArgumentNullException.ThrowIfNull(options);
        var section = configuration.GetSection("StatusHooks");
        string? Read(string name, string variable) => environment.GetValueOrDefault(variable) ?? section[name];

        options.DefaultSecret = Read(nameof(options.DefaultSecret), "ORCH_HOOK_DEFAULT_SECRET") ?? options.DefaultSecret;
        options.AttemptTimeout = Duration(Read(nameof(options.AttemptTimeout), "ORCH_HOOK_ATTEMPT_TIMEOUT"), "ORCH_HOOK_ATTEMPT_TIMEOUT", options.AttemptTimeout);
        options.InitialBackoff = Duration(Read(nameof(options.InitialBackoff), "ORCH_HOOK_INITIAL_BACKOFF"), "ORCH_HOOK_INITIAL_BACKOFF", options.InitialBackoff);
        options.MaxBackoff = Duration(Read(nameof(options.MaxBackoff), "ORCH_HOOK_MAX_BACKOFF"), "ORCH_HOOK_MAX_BACKOFF", options.MaxBackoff);
        options.MaxRetryDuration = Duration(Read(nameof(options.MaxRetryDuration), "ORCH_HOOK_MAX_RETRY_DURATION"), "ORCH_HOOK_MAX_RETRY_DURATION", options.MaxRetryDuration);
        options.BlockPrivateNetworks = Flag(Read(nameof(options.BlockPrivateNetworks), "ORCH_HOOK_BLOCK_PRIVATE_NETWORKS"), "ORCH_HOOK_BLOCK_PRIVATE_NETWORKS", options.BlockPrivateNetworks);
    }

    private static bool Flag(string? value, string setting, bool fallback) =>
        value is null ? fallback
        : bool.TryParse(value, out var parsed) ? parsed
        : throw new InvalidOperationException($"{setting} (or StatusHooks in appsettings): '{value}' is not true or false.");

    private static TimeSpan Duration(string? value, string setting, TimeSpan fallback) =>
        value is null ? fallback
        : TimeSpan.TryParse(value, CultureInfo.InvariantCulture, out var parsed) ? parsed
        : throw new InvalidOperationException($"{setting} (or StatusHooks in appsettings): '{value}' is not a duration such as 00:00:10.");
}
