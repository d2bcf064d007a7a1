using Flywheel.Primitives;
using Polly;
using Polly.CircuitBreaker;
using Polly.Retry;
using Polly.Timeout;

namespace Flywheel.Campaigns.Channels;

/// <summary>
/// Bounds for <see cref="ChannelResilience"/>. These cover one send in this process only: the durable queue retries
/// across restarts and keeps the dead letters.
/// </summary>
public sealed record ResilienceOptions
{
    /// <summary>Longest single attempt before it counts as a transient timeout. Default 10 s; 1 ms to 5 min.</summary>
    public TimeSpan AttemptTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Retries after the first attempt for a transient failure. Default 2; 0 to 10.</summary>
    public int MaxRetries { get; init; } = 2;

    /// <summary>Delay before the first retry; it doubles each retry (no jitter). Default 200 ms; 0 to 1 min.</summary>
    public TimeSpan RetryBaseDelay { get; init; } = TimeSpan.FromMilliseconds(200);

    /// <summary>
    /// Failed attempts, with no success among them inside <see cref="SamplingDuration"/>, that open the circuit.
    /// Default 5; at least 2 (Polly's minimum throughput).
    /// </summary>
    public int BreakAfter { get; init; } = 5;

    /// <summary>The window in which <see cref="BreakAfter"/> failures are counted. Default 1 min; at least 500 ms.</summary>
    public TimeSpan SamplingDuration { get; init; } = TimeSpan.FromMinutes(1);

    /// <summary>How long an open circuit refuses sends before one trial attempt. Default 30 s; at least 500 ms.</summary>
    public TimeSpan BreakDuration { get; init; } = TimeSpan.FromSeconds(30);

    public IReadOnlyList<Error> Validate(string prefix = "resilience")
    {
        var errors = new List<Error>();
        if (AttemptTimeout < TimeSpan.FromMilliseconds(1) || AttemptTimeout > TimeSpan.FromMinutes(5))
            errors.Add(Error.Invalid($"{prefix}.attempt_timeout", $"{AttemptTimeout} is out of range (1 ms to 5 min)"));
        if (MaxRetries is < 0 or > 10)
            errors.Add(Error.Invalid($"{prefix}.max_retries", $"{MaxRetries} is out of range (0 to 10)"));
        if (RetryBaseDelay < TimeSpan.Zero || RetryBaseDelay > TimeSpan.FromMinutes(1))
            errors.Add(Error.Invalid($"{prefix}.retry_base_delay", $"{RetryBaseDelay} is out of range (0 to 1 min)"));
        if (BreakAfter is < 2 or > 1000)
            errors.Add(Error.Invalid($"{prefix}.break_after", $"{BreakAfter} is out of range (2 to 1000)"));
        if (SamplingDuration < TimeSpan.FromMilliseconds(500) || SamplingDuration > TimeSpan.FromDays(1))
            errors.Add(Error.Invalid($"{prefix}.sampling_duration", $"{SamplingDuration} is out of range (500 ms to 1 day)"));
        if (BreakDuration < TimeSpan.FromMilliseconds(500) || BreakDuration > TimeSpan.FromDays(1))
            errors.Add(Error.Invalid($"{prefix}.break_duration", $"{BreakDuration} is out of range (500 ms to 1 day)"));
        return errors;
    }
}

/// <summary>
/// Wraps a channel in a Polly pipeline: retry (exponential backoff, transient results and exceptions only) around a
/// circuit breaker around a per-attempt timeout. Every attempt counts towards the breaker, so an outage opens it
/// mid-send; once open, sends answer <see cref="DeliveryOutcome.Transient"/> ("circuit open") at once without
/// touching the provider until <see cref="ResilienceOptions.BreakDuration"/> has passed on the injected clock.
/// Permanent results are neither retried nor counted as provider failures. Never throws for a delivery failure;
/// cancellation by the caller is rethrown. Thread-safe; keep one instance per provider so the breaker state is shared.
/// </summary>
internal sealed class ChannelResilience : IChannel
{
    private readonly IChannel _inner;
    private readonly ResilienceOptions _options;
    private readonly ResiliencePipeline<DeliveryResult> _pipeline;

    public ChannelResilience(IChannel inner, ResilienceOptions options, TimeProvider time)
    {
        var errors = options.Validate();
        if (errors.Count > 0)
            throw new ArgumentException(string.Join("; ", errors), nameof(options));
        _inner = inner;
        _options = options;

        var failure = new PredicateBuilder<DeliveryResult>()
            .HandleResult(r => r.Outcome == DeliveryOutcome.Transient)
            .Handle<TimeoutRejectedException>()
            .Handle<Exception>(e => e is not BrokenCircuitException and not OperationCanceledException);

        var builder = new ResiliencePipelineBuilder<DeliveryResult> { TimeProvider = time };
        if (options.MaxRetries > 0)
        {
            builder.AddRetry(new RetryStrategyOptions<DeliveryResult>
            {
                ShouldHandle = failure,
                MaxRetryAttempts = options.MaxRetries,
                Delay = options.RetryBaseDelay,
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = false,
            });
        }

        _pipeline = builder
            .AddCircuitBreaker(new CircuitBreakerStrategyOptions<DeliveryResult>
            {
                ShouldHandle = failure,
                FailureRatio = 1.0,
                MinimumThroughput = options.BreakAfter,
                SamplingDuration = options.SamplingDuration,
                BreakDuration = options.BreakDuration,
            })
            .AddTimeout(options.AttemptTimeout)
            .Build();
    }

    public ChannelKind Kind => _inner.Kind;

    public async Task<DeliveryResult> SendAsync(OutboundMessage message, CancellationToken ct)
    {
        try
        {
            var context = ResilienceContextPool.Shared.Get(ct);
            try
            {
                return await _pipeline.ExecuteAsync(
                    static async (ctx, state) => await state.Inner.SendAsync(state.Message, ctx.CancellationToken).ConfigureAwait(false),
                    context,
                    (Inner: _inner, Message: message)).ConfigureAwait(false);
            }
            finally
            {
                ResilienceContextPool.Shared.Return(context);
            }
        }
        catch (BrokenCircuitException e)
        {
            var wait = e.RetryAfter is { } after ? $"; retry after {after.TotalSeconds:0.#} s" : "";
            return DeliveryResult.Transient($"circuit open for {_inner.Kind}{wait}");
        }
        catch (TimeoutRejectedException)
        {
            return DeliveryResult.Transient($"{_inner.Kind} attempt timed out after {_options.AttemptTimeout.TotalMilliseconds:0} ms");
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            throw;
        }
        catch (Exception e)
        {
            // A channel that throws broke its contract; the queue can still retry the message later.
            return DeliveryResult.Transient($"{_inner.Kind} channel failed: {e.GetType().Name}: {e.Message}");
        }
    }
}
