using Microsoft.Extensions.Options;

namespace Orchestrator.Grains.Hooks;

/// <summary>How status hooks are posted and retried (see <see cref="StatusHookGrain"/>).</summary>
public sealed class StatusHookOptions
{
    /// <summary>
    /// HMAC-SHA256 key for hooks registered without a secret of their own. Default none: such events go out
    /// unsigned (no <c>X-Orchestrator-Signature</c> header), so set one wherever receivers are not on a trusted network.
    /// </summary>
    public string? DefaultSecret { get; set; }

    /// <summary>
    /// How long one POST may take, connect to last response byte, before it counts as failed. Default 10 s: a receiver
    /// should acknowledge and work later; the delivery runs inside the hook grain's turn, so this also bounds how
    /// long the next event of that subject waits.
    /// </summary>
    public TimeSpan AttemptTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>The back-off after the first failed attempt; it doubles per attempt (with jitter). Default 1 s.</summary>
    public TimeSpan InitialBackoff { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>The longest back-off between two attempts of one event. Default 5 min.</summary>
    public TimeSpan MaxBackoff { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>
    /// How long one event is retried, from its first attempt, before it is parked and the next revision goes out.
    /// Default 1 h: long enough to ride out a receiver's deployment, short enough that later revisions are not held
    /// back for a day by one receiver that will never accept an event.
    /// </summary>
    public TimeSpan MaxRetryDuration { get; set; } = TimeSpan.FromHours(1);

    /// <summary>
    /// Refuse hook destinations in loopback, link-local (cloud metadata endpoints), private (RFC 1918, IPv6 unique
    /// local), carrier-grade NAT, unspecified or multicast ranges, checked on the addresses a name resolves to, right
    /// before connecting. Default false (receivers on the same network are common); turn it on where run submitters
    /// should not reach internal services through hooks. A refused attempt fails like a connection error and, once
    /// retries run out, parks with that reason.
    /// </summary>
    public bool BlockPrivateNetworks { get; set; }
}

/// <summary>Checks <see cref="StatusHookOptions"/>: every duration positive, back-offs in order.</summary>
public sealed class StatusHookOptionsValidator : IValidateOptions<StatusHookOptions>
{
    public ValidateOptionsResult Validate(string? name, StatusHookOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var errors = new List<string>();
        Positive(errors, nameof(options.AttemptTimeout), options.AttemptTimeout);
        Positive(errors, nameof(options.InitialBackoff), options.InitialBackoff);
        Positive(errors, nameof(options.MaxBackoff), options.MaxBackoff);
        Positive(errors, nameof(options.MaxRetryDuration), options.MaxRetryDuration);
        if (options.MaxBackoff < options.InitialBackoff)
        {
            errors.Add($"StatusHooks:MaxBackoff: {options.MaxBackoff} is below InitialBackoff {options.InitialBackoff}.");
        }
        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }

    private static void Positive(List<string> errors, string name, TimeSpan value)
    {
        if (value <= TimeSpan.Zero)
        {
            errors.Add($"StatusHooks:{name}: {value} must be positive.");
        }
    }
}
