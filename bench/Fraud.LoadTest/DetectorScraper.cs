using Fraud.Testing;

namespace Fraud.LoadTest;

/// <summary>Reads the detector's Prometheus endpoint.</summary>
internal sealed class DetectorScraper(HttpClient detector)
{
    /// <summary>Transactions consumed and decided; it grows when a micro-batch is durable and committed.</summary>
    public const string Processed = "fraud_transactions_processed_total";

    /// <summary>The detector's own end-to-end histogram: broker timestamp of a transaction → its alert durable.</summary>
    public const string Latency = "fraud_detector_e2e_latency_seconds";

    /// <summary>Time per stage (<c>stage</c> label) of a micro-batch, a flush or a commit, a histogram in seconds.</summary>
    public const string BatchStages = "fraud_detector_batch_stage_duration_seconds";

    /// <summary>The stages in the order a batch goes through them: decided, flushed, committed.</summary>
    public static readonly string[] StageOrder =
        ["fill", "parse", "merchant_risk", "restore", "decide", "dead_letters", "alerts", "capture", "merchant_counts", "checkpoint", "commit"];

    /// <summary>
    /// Each stage's count, mean and p99 time between two scrapes, in the order a batch goes through them, and the number
    /// of micro-batches decided; empty when the detector does not export the stages.
    /// </summary>
    public static (IReadOnlyList<BatchStageTime> Stages, long Batches) StagesBetween(PrometheusText before, PrometheusText after)
    {
        var sums = Delta(before.SumBy(BatchStages + "_sum", "stage"), after.SumBy(BatchStages + "_sum", "stage"));
        var counts = Delta(before.SumBy(BatchStages + "_count", "stage"), after.SumBy(BatchStages + "_count", "stage"));
        var stages = counts
            .Where(entry => entry.Value > 0)
            .OrderBy(entry => Array.IndexOf(StageOrder, entry.Key) is var at and >= 0 ? at : int.MaxValue)
            .Select(entry => new BatchStageTime(entry.Key, (long)entry.Value, 1000 * sums.GetValueOrDefault(entry.Key) / entry.Value,
                LatencySummary.FromHistogramSeconds(before.Buckets(BatchStages, "stage", entry.Key), after.Buckets(BatchStages, "stage", entry.Key))?.P99Ms))
            .ToList();
        return (stages, (long)counts.GetValueOrDefault("decide"));
    }

    private static Dictionary<string, double> Delta(IReadOnlyDictionary<string, double> before, IReadOnlyDictionary<string, double> after) =>
        after.ToDictionary(entry => entry.Key, entry => entry.Value - before.GetValueOrDefault(entry.Key), StringComparer.Ordinal);

    public async Task<PrometheusText> ScrapeAsync(CancellationToken cancellationToken) =>
        PrometheusText.Parse(await detector.GetStringAsync("/metrics", cancellationToken));

    /// <summary>
    /// Scrapes until <see cref="Processed"/> reaches <paramref name="processed"/> or <paramref name="within"/> passes
    /// (the counter moves right after a batch's offsets are committed, so it can trail the commit the caller waited for).
    /// </summary>
    /// <returns>The last scrape.</returns>
    public async Task<PrometheusText> ScrapeUntilAsync(double processed, TimeSpan within, CancellationToken cancellationToken)
    {
        var deadline = DateTime.UtcNow + within;
        while (true)
        {
            var scrape = await ScrapeAsync(cancellationToken);
            if (scrape.Sum(Processed) >= processed || DateTime.UtcNow >= deadline)
            {
                return scrape;
            }

            await Task.Delay(TimeSpan.FromMilliseconds(100), cancellationToken);
        }
    }
}
