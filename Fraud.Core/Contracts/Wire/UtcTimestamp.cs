using System.Globalization;

namespace Fraud.Core;

/// <summary>
/// The contracts' timestamps: ISO-8601 in UTC, <c>yyyy-MM-ddTHH:mm:ss[.fraction]</c> followed by <c>Z</c> or
/// <c>+00:00</c>. A local offset or a missing one is rejected rather than guessed at.
/// </summary>
internal static class UtcTimestamp
{
    /// <summary>The wire keeps microseconds: longer fractions are truncated, so parse → write → parse is stable.</summary>
    public const int MaxFractionDigits = 9;

    /// <summary>Longest valid text: 19 characters of date and time, a dot, 9 digits and "+00:00".</summary>
    public const int MaxLength = 35;

    public const string Expectation = "must be ISO-8601 UTC (ending in Z or +00:00)";

    private const string MicrosecondsFormat = "yyyy-MM-dd'T'HH:mm:ss.ffffff'Z'";
    private const string MillisecondsFormat = "yyyy-MM-dd'T'HH:mm:ss.fff'Z'";

    public static bool TryParse(ReadOnlySpan<byte> text, out DateTimeOffset value)
    {
        value = default;
        if (text.Length < 20 || text.Length > MaxLength
            || !TryDigits(text[0..4], out int year) || text[4] != '-'
            || !TryDigits(text[5..7], out int month) || text[7] != '-'
            || !TryDigits(text[8..10], out int day) || text[10] != 'T'
            || !TryDigits(text[11..13], out int hour) || text[13] != ':'
            || !TryDigits(text[14..16], out int minute) || text[16] != ':'
            || !TryDigits(text[17..19], out int second))
        {
            return false;
        }

        int position = 19;
        int microseconds = 0;
        if (text[position] == '.')
        {
            int first = ++position;
            while (position < text.Length && char.IsAsciiDigit((char)text[position]))
            {
                if (position - first < 6)
                {
                    microseconds = (microseconds * 10) + (text[position] - '0');
                }

                position++;
            }

            int digits = position - first;
            if (digits is 0 or > MaxFractionDigits)
            {
                return false;
            }

            for (int i = digits; i < 6; i++)
            {
                microseconds *= 10;
            }
        }

        var zone = text[position..];
        if (!zone.SequenceEqual("Z"u8) && !zone.SequenceEqual("+00:00"u8))
        {
            return false;
        }

        if (year < 1 || month is < 1 or > 12 || day < 1 || day > DateTime.DaysInMonth(year, month)
            || hour > 23 || minute > 59 || second > 59)
        {
            return false;
        }

        value = new DateTimeOffset(year, month, day, hour, minute, second, microseconds / 1000, microseconds % 1000, TimeSpan.Zero);
        return true;
    }

    /// <summary>Writes e.g. <c>2025-09-13T07:46:41.314350Z</c>.</summary>
    public static int FormatMicroseconds(DateTimeOffset value, Span<byte> destination) =>
        Format(value, destination, MicrosecondsFormat);

    /// <summary>Writes e.g. <c>2025-09-13T07:46:41.400Z</c>.</summary>
    public static int FormatMilliseconds(DateTimeOffset value, Span<byte> destination) =>
        Format(value, destination, MillisecondsFormat);

    private static int Format(DateTimeOffset value, Span<byte> destination, string format) =>
        value.UtcDateTime.TryFormat(destination, out int written, format, CultureInfo.InvariantCulture)
            ? written
            : throw new ArgumentException("Destination too small for a timestamp.", nameof(destination));

    private static bool TryDigits(ReadOnlySpan<byte> digits, out int value)
    {
        value = 0;
        foreach (byte digit in digits)
        {
            if (!char.IsAsciiDigit((char)digit))
            {
                return false;
            }

            value = (value * 10) + (digit - '0');
        }

        return true;
    }
}
