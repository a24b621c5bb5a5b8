namespace Fraud.Detector.Sinks;

/// <summary>
/// Retries a sink write with capped exponential backoff until it succeeds or the detector stops. While it
/// retries, consumption is paused (the caller awaits) and no offset is committed: nothing is lost.
/// </summary>
internal static class Retry
{
    private static readonly TimeSpan FirstDelay = TimeSpan.FromMilliseconds(200);
    private static readonly TimeSpan MaxDelay = TimeSpan.FromSeconds(30);

    public static async Task<T> UntilSuccessAsync<T>(string sink, Func<Task<T>> write, DetectorMetrics metrics,
        ILogger logger, CancellationToken cancellationToken)
    {
        var delay = FirstDelay;
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return await write();
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                metrics.SinkFailed(sink);
                logger.LogWarning("Write to {Sink} failed (attempt {Attempt}), retrying in {Delay}: {Reason}",
                    sink, attempt, delay, ex.Message);
                await Task.Delay(delay, cancellationToken);
                delay = TimeSpan.FromTicks(Math.Min(MaxDelay.Ticks, delay.Ticks * 2));
            }
        }
    }

    public static Task UntilSuccessAsync(string sink, Func<Task> write, DetectorMetrics metrics,
        ILogger logger, CancellationToken cancellationToken) =>
        UntilSuccessAsync(sink, async () => { await write(); return true; }, metrics, logger, cancellationToken);
}
