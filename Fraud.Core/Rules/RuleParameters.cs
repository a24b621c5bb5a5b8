using System.Globalization;
using System.Text.Json;

namespace Fraud.Core.Rules;

/// <summary>
/// Reads one rule's <c>parameters</c> object, turning every problem into an error that names the rule, the
/// parameter and the reason, e.g. <c>rule 'night' (night_high_amount): parameter 'start_hour': must be at least 0
/// and less than 24, got 25</c>. A bad value reads as NaN (or zero) so that all of a file's errors are reported at once.
/// </summary>
internal sealed class RuleParameters(string ruleLabel, IReadOnlyDictionary<string, JsonElement> values, List<string> errors)
{
    private readonly HashSet<string> _known = new(StringComparer.Ordinal);

    public double Number(
        string name,
        double min = double.NegativeInfinity,
        double max = double.PositiveInfinity,
        bool exclusiveMin = false,
        bool exclusiveMax = false,
        double? fallback = null,
        string? minName = null)
    {
        if (!TryGet(name, out var element))
        {
            return fallback ?? Fail(name, "required");
        }

        if (element.ValueKind != JsonValueKind.Number || !element.TryGetDouble(out double value) || !double.IsFinite(value))
        {
            return Fail(name, "must be a number");
        }

        bool belowMin = exclusiveMin ? value <= min : value < min; // false when min is NaN: its own error is reported
        bool aboveMax = exclusiveMax ? value >= max : value > max;
        if (belowMin || aboveMax)
        {
            return Fail(name, $"must be {Range(min, max, exclusiveMin, exclusiveMax, minName)}, got {Format(value)}");
        }

        return value;
    }

    public int Integer(string name, int min, int max, int? fallback = null)
    {
        if (!TryGet(name, out var element))
        {
            return fallback ?? (int)Fail(name, "required", 0);
        }

        if (element.ValueKind != JsonValueKind.Number || !element.TryGetInt32(out int value))
        {
            return (int)Fail(name, "must be an integer", 0);
        }

        return value < min || value > max
            ? (int)Fail(name, $"must be {Range(min, max, exclusiveMin: false, exclusiveMax: false, minName: null)}, got {value}", 0)
            : value;
    }

    /// <summary>A positive number of seconds, at most a year.</summary>
    public TimeSpan Seconds(string name)
    {
        double seconds = Number(name, min: 0, max: 366 * 24 * 3600, exclusiveMin: true);
        return double.IsNaN(seconds) ? TimeSpan.Zero : TimeSpan.FromSeconds(seconds);
    }

    /// <summary>An optional array of integers; null when absent.</summary>
    public IReadOnlySet<int>? IntegerSet(string name, int min, int max)
    {
        if (!TryGet(name, out var element))
        {
            return null;
        }

        if (element.ValueKind != JsonValueKind.Array || element.GetArrayLength() == 0)
        {
            Fail(name, "must be a non-empty array of integers");
            return null;
        }

        var set = new HashSet<int>();
        foreach (var item in element.EnumerateArray())
        {
            if (item.ValueKind != JsonValueKind.Number || !item.TryGetInt32(out int value) || value < min || value > max)
            {
                Fail(name, $"must hold integers between {min} and {max}, got {item.GetRawText()}");
                return null;
            }

            set.Add(value);
        }

        return set;
    }

    /// <summary>True when the parameter is given (not null).</summary>
    public bool Has(string name) => TryGet(name, out _);

    /// <summary>Reports a problem with a parameter that its value alone does not show, e.g. a missing alternative.</summary>
    public void Reject(string name, string why) => Fail(name, why);

    /// <summary>Reports every parameter the rule's kind did not ask for: a typo would otherwise pass silently.</summary>
    public void RejectUnknown()
    {
        foreach (string name in values.Keys.Where(name => !_known.Contains(name)).Order(StringComparer.Ordinal))
        {
            errors.Add($"{ruleLabel}: parameter '{name}': unknown; expected {string.Join(", ", _known.Order(StringComparer.Ordinal))}");
        }
    }

    private bool TryGet(string name, out JsonElement element)
    {
        _known.Add(name);
        return values.TryGetValue(name, out element) && element.ValueKind != JsonValueKind.Null;
    }

    private double Fail(string name, string why, double result = double.NaN)
    {
        errors.Add($"{ruleLabel}: parameter '{name}': {why}");
        return result;
    }

    private static string Range(double min, double max, bool exclusiveMin, bool exclusiveMax, string? minName)
    {
        string lower = minName is null ? Format(min) : $"{minName} ({Format(min)})";
        string low = exclusiveMin ? $"greater than {lower}" : $"at least {lower}";
        string high = exclusiveMax ? $"less than {Format(max)}" : $"at most {Format(max)}";
        return (double.IsNegativeInfinity(min), double.IsPositiveInfinity(max)) switch
        {
            (true, _) => high,
            (_, true) => low,
            _ => $"{low} and {high}",
        };
    }

    private static string Format(double value) => value.ToString(CultureInfo.InvariantCulture);
}
