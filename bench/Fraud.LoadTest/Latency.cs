namespace Fraud.LoadTest;

/// <summary>Latency percentiles of one phase, in milliseconds, and how they were obtained.</summary>
/// <param name="Count">How many latencies they summarise.</param>
/// <param name="Method">"exact" (every sample kept) or "bucket-interpolated" (from a histogram).</param>
/// <param name="MaxQualifier">"" for an exact maximum; from a histogram "≤" (a bucket's upper bound) or "&gt;" (beyond the last finite bound).</param>
internal sealed record LatencySummary(long Count, double P50Ms, double P95Ms, double P99Ms, double MaxMs, string Method, string MaxQualifier = "")
{
    /// <summary>Exact percentiles by nearest rank (the smallest sample with at least p of all samples at or below it).</summary>
    /// <returns>The summary, or null when there are no samples.</returns>
    public static LatencySummary? Exact(List<double> samplesMs)
    {
        if (samplesMs.Count == 0)
        {
            return null;
        }

        samplesMs.Sort();
        double Rank(double p) => samplesMs[Math.Clamp((int)Math.Ceiling(p * samplesMs.Count) - 1, 0, samplesMs.Count - 1)];
        return new LatencySummary(samplesMs.Count, Rank(0.50), Rank(0.95), Rank(0.99), samplesMs[^1], "exact");
    }

    /// <summary>
    /// Percentiles of the observations a cumulative histogram gained between two scrapes (the bucket deltas), as
    /// Prometheus' <c>histogram_quantile</c> computes them: the bucket that holds the rank, then linear
    /// interpolation between its bounds (the first bucket starts at 0). A rank in the +Inf bucket reports the
    /// highest finite bound. The maximum is the upper bound of the highest non-empty bucket.
    /// </summary>
    /// <returns>The summary, or null when the histogram is missing from either scrape or gained no observations.</returns>
    public static LatencySummary? FromHistogramSeconds(IReadOnlyDictionary<double, double>? before, IReadOnlyDictionary<double, double>? after)
    {
        if (after is null)
        {
            return null;
        }

        var deltas = after.OrderBy(bucket => bucket.Key)
            .Select(bucket => (Bound: bucket.Key, Count: bucket.Value - (before?.GetValueOrDefault(bucket.Key) ?? 0)))
            .ToList();
        double total = deltas.Count > 0 ? deltas[^1].Count : 0;
        if (total <= 0)
        {
            return null;
        }

        double highestFinite = deltas.Where(bucket => !double.IsPositiveInfinity(bucket.Bound)).Select(bucket => bucket.Bound).DefaultIfEmpty(0).Max();
        double Quantile(double q)
        {
            double rank = q * total;
            double lower = 0, below = 0;
            foreach (var (bound, cumulative) in deltas)
            {
                if (cumulative >= rank)
                {
                    if (double.IsPositiveInfinity(bound))
                    {
                        return highestFinite;
                    }

                    return cumulative == below ? bound : lower + (bound - lower) * (rank - below) / (cumulative - below);
                }

                lower = bound;
                below = cumulative;
            }

            return highestFinite;
        }

        // The maximum lies in the first bucket whose cumulative count reaches the total.
        double max = deltas.First(bucket => bucket.Count >= total).Bound;
        bool maxInInf = double.IsPositiveInfinity(max);
        return new LatencySummary((long)total, Quantile(0.50) * 1000, Quantile(0.95) * 1000, Quantile(0.99) * 1000,
            (maxInInf ? highestFinite : max) * 1000, "bucket-interpolated", maxInInf ? ">" : "≤");
    }
}
