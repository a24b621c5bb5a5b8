using System.Globalization;

namespace Fraud.Tests.Integration;

/// <summary>Reads a service's Prometheus endpoint (<c>/metrics</c>) as a scraper would.</summary>
internal static class PrometheusMetrics
{
    /// <summary>Sums every series of a counter (all label sets) on the endpoint behind <paramref name="client"/>.</summary>
    public static async Task<double> ReadCounterAsync(this HttpClient client, string name)
    {
        var text = await client.GetStringAsync("/metrics");
        return text.Split('\n')
            .Where(line => line.StartsWith(name, StringComparison.Ordinal) && (line.Length == name.Length || line[name.Length] is ' ' or '{'))
            .Sum(line => double.Parse(line[(line.LastIndexOf(' ') + 1)..], CultureInfo.InvariantCulture));
    }
}
