using System.Globalization;
using System.Text.RegularExpressions;

namespace Fraud.CommandLine;

/// <summary>How every command-line verb of ours writes spans and times, so the producer and the detector read the same text.</summary>
public static partial class CommandLineValues
{
    /// <summary>The hint printed with a bad span.</summary>
    public const string SpanExamples = "90s, 30m, 12h or 7d";

    /// <summary>Reads a span such as <c>90s</c>, <c>30m</c>, <c>12h</c>, <c>7d</c> or <c>1.5d</c>.</summary>
    /// <param name="text">The text.</param>
    /// <param name="span">The span; zero when the text is not one.</param>
    /// <returns>Whether the text is a span (zero included).</returns>
    public static bool TryParseSpan(string text, out TimeSpan span)
    {
        span = TimeSpan.Zero;
        var match = SpanPattern().Match(text);
        if (!match.Success || !double.TryParse(match.Groups["value"].Value, NumberStyles.Float, CultureInfo.InvariantCulture, out double value))
        {
            return false;
        }

        span = match.Groups["unit"].Value switch
        {
            "s" => TimeSpan.FromSeconds(value),
            "m" => TimeSpan.FromMinutes(value),
            "h" => TimeSpan.FromHours(value),
            _ => TimeSpan.FromDays(value),
        };
        return true;
    }

    /// <summary>Reads an ISO-8601 time; one without an offset is taken as UTC, the contracts' time zone.</summary>
    /// <param name="text">The text, e.g. <c>2025-09-01T00:00:00Z</c>.</param>
    /// <param name="time">The time in UTC.</param>
    /// <returns>Whether the text is a time.</returns>
    public static bool TryParseUtcTime(string text, out DateTimeOffset time) =>
        DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out time);

    [GeneratedRegex(@"^(?<value>\d+(\.\d+)?)(?<unit>[smhd])$")]
    private static partial Regex SpanPattern();
}
