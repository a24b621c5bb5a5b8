using System.Globalization;
using System.Text.RegularExpressions;

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

    /// <summary>Sums the series of <paramref name="name"/> per value of <paramref name="label"/> (series without it are left out).</summary>
    public static async Task<Dictionary<string, double>> ReadByLabelAsync(this HttpClient client, string name, string label)
    {
        var text = await client.GetStringAsync("/metrics");
        var labelValue = new Regex($"[{{,]{Regex.Escape(label)}=\"([^\"]*)\"");
        var sums = new Dictionary<string, double>(StringComparer.Ordinal);
        foreach (var line in text.Split('\n').Where(line => line.StartsWith(name + "{", StringComparison.Ordinal)))
        {
            if (labelValue.Match(line) is { Success: true } match)
            {
                string key = match.Groups[1].Value;
                sums[key] = sums.GetValueOrDefault(key) + double.Parse(line[(line.LastIndexOf(' ') + 1)..], CultureInfo.InvariantCulture);
            }
        }

        return sums;
    }
}
