using System.Net;
using Microsoft.Extensions.Http.Resilience;
using Polly;

namespace Orchestrator.Client.Http;

/// <summary>
/// The client's resilience pipeline, the same for the plain constructor and the HttpClient factory: a total timeout,
/// retries with exponential back-off and jitter (honouring <c>Retry-After</c>) on transient failures — connection
/// errors, timed-out attempts, 408, 429, 5xx — and on a command answered 202 "not yet applied", and a timeout per
/// attempt. Commands are retried too: each carries an <c>Idempotency-Key</c> set once per call
/// (<see cref="OrchestratorClient"/>), which every attempt repeats, so the server applies it once.
/// </summary>
public static class ClientResilience
{
    /// <summary>The name of the resilience handler on the factory's client.</summary>
    public const string PipelineName = "orchestrator";

    /// <summary>Adds the client's strategies to <paramref name="builder"/>, from the options.</summary>
    public static void Configure(ResiliencePipelineBuilder<HttpResponseMessage> builder, OrchestratorClientOptions options)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(options);
        builder.AddTimeout(options.TotalTimeout);
        if (options.MaxRetries > 0)
        {
            builder.AddRetry(new HttpRetryStrategyOptions
            {
                MaxRetryAttempts = options.MaxRetries,
                Delay = options.RetryDelay,
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                ShouldRetryAfterHeader = true,
                ShouldHandle = args => ValueTask.FromResult(ShouldRetry(args.Outcome)),
            });
        }
        builder.AddTimeout(options.AttemptTimeout);
    }

    /// <summary>Whether an attempt's outcome is worth another try with the same request (and key).</summary>
    public static bool ShouldRetry(Outcome<HttpResponseMessage> outcome) =>
        HttpClientResiliencePredicates.IsTransient(outcome) || (outcome.Result is { } response && IsPending(response));

    /// <summary>
    /// A command the server stored but did not finish within its wait: 202 with a problem body (a run's own 202 has a
    /// JSON body with the new instance's id, and is the answer).
    /// </summary>
    public static bool IsPending(HttpResponseMessage response)
    {
        ArgumentNullException.ThrowIfNull(response);
        return response.StatusCode == HttpStatusCode.Accepted && response.Content.Headers.ContentType?.MediaType == "application/problem+json";
    }
}
