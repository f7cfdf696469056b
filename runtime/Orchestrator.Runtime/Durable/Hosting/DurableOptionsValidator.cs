using Microsoft.Extensions.Options;

namespace Orchestrator.Runtime.Durable;

/// <summary>Refuses durable options that cannot work, naming the option and the value.</summary>
public sealed class DurableOptionsValidator : IValidateOptions<DurableOptions>
{
    public ValidateOptionsResult Validate(string? name, DurableOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = new List<string>();
        if (string.IsNullOrWhiteSpace(options.StorageName))
        {
            failures.Add($"{nameof(DurableOptions.StorageName)} must name a grain storage; it is empty.");
        }
        Positive(failures, nameof(DurableOptions.MaxDeliveryAttempts), options.MaxDeliveryAttempts);
        Positive(failures, nameof(DurableOptions.MaxConcurrentDeliveries), options.MaxConcurrentDeliveries);
        Positive(failures, nameof(DurableOptions.AppliedKeysLimit), options.AppliedKeysLimit);
        Positive(failures, nameof(DurableOptions.SweepBatchSize), options.SweepBatchSize);
        Positive(failures, nameof(DurableOptions.SweepConcurrency), options.SweepConcurrency);
        Positive(failures, nameof(DurableOptions.RetryBackoffBase), options.RetryBackoffBase);
        Positive(failures, nameof(DurableOptions.AppliedKeysRetention), options.AppliedKeysRetention);
        Positive(failures, nameof(DurableOptions.SweepInterval), options.SweepInterval);
        Positive(failures, nameof(DurableOptions.SweeperKeepAlive), options.SweeperKeepAlive);
        if (options.RetryBackoffMax < options.RetryBackoffBase)
        {
            failures.Add($"{nameof(DurableOptions.RetryBackoffMax)} ({options.RetryBackoffMax}) must be at least {nameof(DurableOptions.RetryBackoffBase)} ({options.RetryBackoffBase}).");
        }
        if (options.TransientFailureTolerance < TimeSpan.Zero)
        {
            failures.Add($"{nameof(DurableOptions.TransientFailureTolerance)} must not be negative; it is {options.TransientFailureTolerance}.");
        }
        if (options.SweepGrace < TimeSpan.Zero)
        {
            failures.Add($"{nameof(DurableOptions.SweepGrace)} must not be negative; it is {options.SweepGrace}.");
        }
        if (options.AckWriteDelay < TimeSpan.Zero || options.AckWriteDelay > TimeSpan.FromMinutes(1))
        {
            failures.Add($"{nameof(DurableOptions.AckWriteDelay)} must be between 0 and 1 minute; it is {options.AckWriteDelay}.");
        }
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    private static void Positive(List<string> failures, string option, int value)
    {
        if (value <= 0)
        {
            failures.Add($"{option} must be at least 1; it is {value}.");
        }
    }

    private static void Positive(List<string> failures, string option, TimeSpan value)
    {
        if (value <= TimeSpan.Zero)
        {
            failures.Add($"{option} must be longer than zero; it is {value}.");
        }
    }
}
