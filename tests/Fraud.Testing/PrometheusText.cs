using System.Globalization;

namespace Fraud.Testing;

/// <summary>
/// One scrape of a Prometheus text-format endpoint (a service's <c>/metrics</c>): every series by name, with its
/// labels, read as counter totals and histogram buckets summed over all label sets or those of one label value.
/// </summary>
public sealed class PrometheusText
{
    private readonly Dictionary<string, List<(string Labels, double Value)>> _series = new(StringComparer.Ordinal);

    private PrometheusText()
    {
    }

    /// <summary>Parses the exposition text; comments, blank lines and unparsable lines are skipped.</summary>
    public static PrometheusText Parse(string text)
    {
        var scrape = new PrometheusText();
        foreach (var rawLine in text.AsSpan().EnumerateLines())
        {
            var line = rawLine.Trim();
            if (line.IsEmpty || line[0] == '#')
            {
                continue;
            }

            // name{label="value",…} value [timestamp]; label values may contain spaces, so split after the '}'.
            int labelsEnd = line.IndexOf('}');
            int nameEnd = line.IndexOfAny('{', ' ');
            if (nameEnd <= 0)
            {
                continue;
            }

            string name = line[..nameEnd].ToString();
            var labels = labelsEnd > nameEnd && line[nameEnd] == '{' ? line[(nameEnd + 1)..labelsEnd] : [];
            var rest = (labelsEnd > nameEnd && line[nameEnd] == '{' ? line[(labelsEnd + 1)..] : line[nameEnd..]).Trim();
            int valueEnd = rest.IndexOf(' ');
            if (!TryParseValue(valueEnd < 0 ? rest : rest[..valueEnd], out double value))
            {
                continue;
            }

            if (!scrape._series.TryGetValue(name, out var series))
            {
                scrape._series[name] = series = [];
            }

            series.Add((labels.ToString(), value));
        }

        return scrape;
    }

    /// <summary>The sum of every series named <paramref name="name"/>, or null when there is none.</summary>
    public double? Sum(string name) => _series.TryGetValue(name, out var series) ? series.Sum(entry => entry.Value) : null;

    /// <summary>The series named <paramref name="name"/> summed per value of <paramref name="label"/> (series without it are left out).</summary>
    public IReadOnlyDictionary<string, double> SumBy(string name, string label)
    {
        var sums = new Dictionary<string, double>(StringComparer.Ordinal);
        foreach (var (labels, value) in _series.GetValueOrDefault(name) ?? [])
        {
            if (LabelValue(labels, label) is { } key)
            {
                sums[key] = sums.GetValueOrDefault(key) + value;
            }
        }

        return sums;
    }

    /// <summary>
    /// The cumulative bucket counts (upper bound → count) of histogram <paramref name="name"/>, summed over its series,
    /// or over those whose <paramref name="label"/> is <paramref name="value"/> when a label is given; null when absent.
    /// </summary>
    public IReadOnlyDictionary<double, double>? Buckets(string name, string? label = null, string? value = null)
    {
        SortedDictionary<double, double>? buckets = null;
        foreach (var (labels, count) in _series.GetValueOrDefault(name + "_bucket") ?? [])
        {
            if ((label is null || LabelValue(labels, label) == value) && LabelValue(labels, "le") is { } le && TryParseValue(le, out double bound))
            {
                buckets ??= [];
                buckets[bound] = buckets.GetValueOrDefault(bound) + count;
            }
        }

        return buckets;
    }

    private static string? LabelValue(ReadOnlySpan<char> labels, string label)
    {
        // Enough for the exporter's output: label="value" pairs separated by commas, no escaped quotes in 'le'.
        string pattern = label + "=\"";
        int at = labels.IndexOf(pattern, StringComparison.Ordinal);
        while (at > 0 && labels[at - 1] != ',' && labels[at - 1] != ' ')
        {
            int next = labels[(at + 1)..].IndexOf(pattern, StringComparison.Ordinal);
            at = next < 0 ? -1 : at + 1 + next;
        }

        if (at < 0)
        {
            return null;
        }

        var value = labels[(at + pattern.Length)..];
        int end = value.IndexOf('"');
        return end < 0 ? null : value[..end].ToString();
    }

    private static bool TryParseValue(ReadOnlySpan<char> text, out double value)
    {
        switch (text)
        {
            case "+Inf":
                value = double.PositiveInfinity;
                return true;
            case "-Inf":
                value = double.NegativeInfinity;
                return true;
            case "NaN":
                value = double.NaN;
                return true;
            default:
                return double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out value);
        }
    }
}
