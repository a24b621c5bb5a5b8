using System.Diagnostics;
using Fraud.Core.Features;
using Fraud.Detector.Health;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Fraud.Detector.Merchants;

/// <summary>
/// The merchant risk the detector reads, rebuilt from the shared day counts (<see cref="MerchantCountStore"/>) when the
/// stream reaches a new UTC day and every <see cref="DetectorOptions.MerchantRiskRefresh"/> (labels arrive late).
/// A transaction on day d reads only whole days up to d − delay − 1, which every replica finished counting long
/// before, so a table loaded on day d gives every replica the offline values, as far as labels had arrived.
/// When Postgres cannot answer, the table in hand stays (stale, never wrong in kind) and the load is retried 10 s
/// later; if the delay asked for changed, an empty table of that delay (every merchant reads the prior) stands in.
/// </summary>
internal sealed class MerchantRiskSource(
    MerchantCountStore store, DetectorMetrics metrics, SinkHealth health, TimeProvider time, IOptions<DetectorOptions> options, ILogger<MerchantRiskSource> logger)
{
    private static readonly TimeSpan RetryAfterFailure = TimeSpan.FromSeconds(10);

    private MerchantRisk? _current;
    private DateOnly _loadedFor;
    private DateTimeOffset _due;

    /// <summary>
    /// The merchant risk for transactions up to <paramref name="newestDay"/> with the given label delay, loaded again
    /// when the day, the delay or the refresh interval asks for it.
    /// </summary>
    /// <param name="newestDay">The newest UTC day among the transactions about to be decided.</param>
    /// <param name="labelDelay">The delay of the classifier that reads it (the default when none does).</param>
    public async Task<MerchantRisk> CurrentAsync(DateOnly newestDay, TimeSpan labelDelay, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        bool stale = _current is null || newestDay > _loadedFor || _current.Options.LabelDelay != labelDelay || now >= _due;
        if (!stale)
        {
            return _current!;
        }

        long started = Stopwatch.GetTimestamp();
        try
        {
            var loaded = await store.LoadAsync(new MerchantRiskOptions { LabelDelay = labelDelay }, newestDay, cancellationToken);
            (_current, _loadedFor, _due) = (loaded, newestDay, now + options.Value.MerchantRiskRefresh);
            metrics.MerchantRiskLoaded(loaded.TrackedMerchants, Stopwatch.GetElapsedTime(started));
            health.Succeeded("merchant_risk");
            logger.LogDebug("Merchant risk loaded for {Day}: {Merchants} merchants in {Elapsed}", newestDay, loaded.TrackedMerchants, Stopwatch.GetElapsedTime(started));
        }
        catch (Exception exception) when (exception is NpgsqlException or TimeoutException)
        {
            _due = now + RetryAfterFailure;
            metrics.SinkFailed("merchant_risk");
            health.Failed("merchant_risk", exception.Message);
            logger.LogWarning("Merchant risk not reloaded for {Day}, reading the previous table: {Reason}", newestDay, exception.Message);
            // The table in hand serves only the delay it was built for: a classifier swapped to another delay reads
            // the prior until a load succeeds, never windows shifted by the wrong delay.
            if (_current is null || _current.Options.LabelDelay != labelDelay)
            {
                _current = new MerchantRisk(new MerchantRiskOptions { LabelDelay = labelDelay });
            }
        }

        return _current;
    }
}
