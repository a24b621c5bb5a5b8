namespace Fraud.Testing;

/// <summary>Reads a service's Prometheus endpoint (<c>/metrics</c>) as a scraper would.</summary>
public static class PrometheusMetrics
{
    /// <summary>Sums every series of a counter (all label sets) on the endpoint behind <paramref name="client"/>; 0 when it has none.</summary>
    public static async Task<double> ReadCounterAsync(this HttpClient client, string name) =>
        PrometheusText.Parse(await client.GetStringAsync("/metrics")).Sum(name) ?? 0;

    /// <summary>Sums the series of <paramref name="name"/> per value of <paramref name="label"/> (series without it are left out).</summary>
    public static async Task<Dictionary<string, double>> ReadByLabelAsync(this HttpClient client, string name, string label) =>
        new(PrometheusText.Parse(await client.GetStringAsync("/metrics")).SumBy(name, label), StringComparer.Ordinal);
}
