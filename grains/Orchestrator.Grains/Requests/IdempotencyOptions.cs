using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Orchestrator.Grains.Requests;

/// <summary>How long the grains answer a command's retry with its first outcome (the <c>Idempotency-Key</c> header).</summary>
public sealed class IdempotencyOptions
{
    /// <summary>
    /// How long after a command a retry with the same <c>Idempotency-Key</c> still gets that command's outcome instead of
    /// running again, however many other commands reached the same resource meanwhile. Default 24 h (as Stripe's keys).
    /// Longer keeps more index rows (one per keyed command pushed out of a grain's last 32); a retry after it is a new
    /// command. Set as <c>ORCH_IDEMPOTENCY_WINDOW</c>, <c>--idempotency-window</c>, hh:mm:ss or d.hh:mm:ss.
    /// </summary>
    public TimeSpan IdempotencyWindow { get; set; } = TimeSpan.FromHours(24);

    /// <summary>The problems with these options, each naming the option (none when valid).</summary>
    public IEnumerable<string> Validate()
    {
        if (IdempotencyWindow < TimeSpan.FromMinutes(1) || IdempotencyWindow > TimeSpan.FromDays(365))
        {
            yield return $"IdempotencyWindow: {IdempotencyWindow} is outside 00:01:00 to 365.00:00:00.";
        }
    }

    /// <summary>Adds validated options to a silo's services (grains without them use the defaults).</summary>
    public static IServiceCollection AddTo(IServiceCollection services, Action<IdempotencyOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        var options = services.AddOptions<IdempotencyOptions>();
        if (configure is not null)
        {
            options.Configure(configure);
        }
        options.ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<IdempotencyOptions>, Validator>());
        return services;
    }

    private sealed class Validator : IValidateOptions<IdempotencyOptions>
    {
        public ValidateOptionsResult Validate(string? name, IdempotencyOptions options)
        {
            var problems = options.Validate().ToList();
            return problems.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(problems);
        }
    }
}
