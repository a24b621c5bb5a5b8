using Fraud.Detector.Health;

namespace Fraud.Detector.Sinks;

/// <summary>
/// Retries a sink write with capped exponential backoff until it succeeds or the detector stops. While it
/// retries, consumption is paused (the caller awaits), no offset is committed and the detector reports degraded:
/// nothing is lost.
/// </summary>
public sealed class Retry(DetectorMetrics metrics, SinkHealth health, ILogger<Retry> logger)
{
    private static readonly TimeSpan FirstDelay = TimeSpan.FromMilliseconds(200);
    private static readonly TimeSpan MaxDelay = TimeSpan.FromSeconds(10);

    public async Task<T> UntilSuccessAsync<T>(string sink, Func<Task<T>> write, CancellationToken cancellationToken)
    {
        var delay = FirstDelay;
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                var result = await write();
                if (attempt > 1)
                {
                    logger.LogInformation("Write to {Sink} succeeded after {Attempts} attempts", sink, attempt);
                }

                health.Succeeded(sink);
                return result;
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                metrics.SinkFailed(sink);
                health.Failed(sink, ex.Message);
                logger.LogWarning("Write to {Sink} failed (attempt {Attempt}), retrying in {Delay}: {Reason}",
                    sink, attempt, delay, ex.Message);
                await Task.Delay(delay, cancellationToken);
                delay = TimeSpan.FromTicks(Math.Min(MaxDelay.Ticks, delay.Ticks * 2));
            }
        }
    }

    public Task UntilSuccessAsync(string sink, Func<Task> write, CancellationToken cancellationToken) =>
        UntilSuccessAsync(sink, async () => { await write(); return true; }, cancellationToken);
}
