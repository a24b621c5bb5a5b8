namespace Fraud.LoadTest;

/// <summary>Reads the detector's Prometheus endpoint.</summary>
internal sealed class DetectorScraper(HttpClient detector)
{
    /// <summary>Transactions consumed and decided; it grows when a micro-batch is durable and committed.</summary>
    public const string Processed = "fraud_transactions_processed_total";

    /// <summary>The detector's own end-to-end histogram: broker timestamp of a transaction → its alert durable.</summary>
    public const string Latency = "fraud_detector_e2e_latency_seconds";

    public async Task<PrometheusText> ScrapeAsync(CancellationToken cancellationToken) =>
        PrometheusText.Parse(await detector.GetStringAsync("/metrics", cancellationToken));

    /// <summary>
    /// Scrapes until <see cref="Processed"/> reaches <paramref name="processed"/> or <paramref name="within"/> passes
    /// (the exporter serves a cached scrape for a few hundred milliseconds, so the latest figures can lag a little).
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
