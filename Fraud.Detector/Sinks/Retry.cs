using Fraud.Detector.Health;
using Polly;
using Polly.Retry;

namespace Fraud.Detector.Sinks;

/// <summary>
/// Retries a sink write with capped exponential backoff and jitter until it succeeds or its token is cancelled (the
/// detector stops, or a rebalance gives the batch up). While it retries, consumption is paused, no offset is
/// committed and the detector reports degraded: nothing is lost.
/// </summary>
public sealed class Retry
{
    private static readonly ResiliencePropertyKey<string> Sink = new("fraud.sink");
    private readonly ResiliencePipeline _pipeline;
    private readonly SinkHealth _health;
    private readonly ILogger<Retry> _logger;

    public Retry(DetectorMetrics metrics, SinkHealth health, ILogger<Retry> logger)
    {
        _health = health;
        _logger = logger;
        _pipeline = new ResiliencePipelineBuilder()
            .AddRetry(new RetryStrategyOptions
            {
                ShouldHandle = new PredicateBuilder().Handle<Exception>(ex => ex is not OperationCanceledException),
                MaxRetryAttempts = int.MaxValue,
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                Delay = TimeSpan.FromMilliseconds(200),
                MaxDelay = TimeSpan.FromSeconds(10),
                OnRetry = retry =>
                {
                    var sink = retry.Context.Properties.GetValue(Sink, "");
                    var reason = retry.Outcome.Exception!.Message;
                    metrics.SinkFailed(sink);
                    health.Failed(sink, reason);
                    logger.LogWarning("Write to {Sink} failed (attempt {Attempt}), retrying in {Delay}: {Reason}",
                        sink, retry.AttemptNumber + 1, retry.RetryDelay, reason);
                    return default;
                },
            })
            .Build();
    }

    public async Task<T> UntilSuccessAsync<T>(string sink, Func<Task<T>> write, CancellationToken cancellationToken)
    {
        var context = ResilienceContextPool.Shared.Get(cancellationToken);
        context.Properties.Set(Sink, sink);
        var attempts = 0;
        try
        {
            var result = await _pipeline.ExecuteAsync(async _ =>
            {
                attempts++;
                return await write();
            }, context);
            if (attempts > 1)
            {
                _logger.LogInformation("Write to {Sink} succeeded after {Attempts} attempts", sink, attempts);
            }

            _health.Succeeded(sink);
            return result;
        }
        finally
        {
            ResilienceContextPool.Shared.Return(context);
        }
    }

    public Task UntilSuccessAsync(string sink, Func<Task> write, CancellationToken cancellationToken) =>
        UntilSuccessAsync(sink, async () => { await write(); return true; }, cancellationToken);
}
