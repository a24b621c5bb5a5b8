using System.Globalization;

namespace Fraud.Core;

/// <summary>
/// How a CSV cell's text becomes a field's value: numbers in the invariant culture, timestamps in a lenient ISO-8601
/// (see <see cref="TryParseTimestamp"/>), channel and label flags by name. The contract's own rules (amount above 0,
/// ISO codes, …) are checked afterwards by <see cref="TransactionJson"/>, as for JSON.
/// </summary>
internal static class CsvFieldValues
{
    // Positions in TransactionCsvMapping.Fields.
    public const int TxId = 0;
    public const int UserId = 1;
    public const int Amount = 2;
    public const int Currency = 3;
    public const int Location = 4;
    public const int Ts = 5;
    public const int MerchantId = 6;
    public const int Mcc = 7;
    public const int Channel = 8;
    public const int DeviceId = 9;
    public const int Lat = 10;
    public const int Lon = 11;
    public const int IsFraud = 12;
    public const int Scenario = 13;

    public const string TimestampExpectation =
        "must be an ISO-8601 time such as 2018-04-01 00:00:31 (UTC when it names no zone) or 2018-04-01T00:00:31+02:00";

    public const string FlagExpectation = "must be 1, 0, true or false";

    /// <summary>The fields that every row needs a value for; <c>tx_id</c> is required too but defaults to the row number.</summary>
    public static readonly int[] Required = [UserId, Amount, Location, Ts];

    private const NumberStyles Number = NumberStyles.Float;

    /// <summary>Why <paramref name="text"/> is not a value of <paramref name="field"/> (a constant on the command line), or null.</summary>
    public static string? Check(int field, string text) => field switch
    {
        UserId when !long.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out _) => "must be an integer",
        Mcc when !int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out _) => "must be an integer",
        Amount when !TryParseAmount(text, out _) => "must be a number",
        Lat or Lon when !TryParseCoordinate(text, out _) => "must be a number",
        Ts when !TryParseTimestamp(text, out _) => TimestampExpectation,
        Channel when !TryParseChannel(text, out _) => ChannelConverter.Expectation,
        IsFraud when !TryParseFlag(text, out _) => FlagExpectation,
        Location when !CountryCodes.IsAssigned(text) => $"{WireReader.Quote(text)} is not an ISO-3166 alpha-2 code",
        Currency when !CurrencyCodes.IsActive(text) => $"{WireReader.Quote(text)} is not an active ISO-4217 code",
        _ => null,
    };

    public static bool TryParseAmount(ReadOnlySpan<char> text, out decimal value) =>
        decimal.TryParse(text, Number, CultureInfo.InvariantCulture, out value);

    public static bool TryParseCoordinate(ReadOnlySpan<char> text, out double value) =>
        double.TryParse(text, Number, CultureInfo.InvariantCulture, out value) && double.IsFinite(value);

    public static bool TryParseChannel(ReadOnlySpan<char> text, out Channel value)
    {
        (bool known, value) = text switch
        {
            "pos" => (true, Fraud.Core.Channel.Pos),
            "ecom" => (true, Fraud.Core.Channel.Ecom),
            "atm" => (true, Fraud.Core.Channel.Atm),
            _ => (false, default),
        };
        return known;
    }

    /// <summary>A label flag: <c>1</c>/<c>0</c> as public datasets write it, or <c>true</c>/<c>false</c> in any case.</summary>
    public static bool TryParseFlag(ReadOnlySpan<char> text, out bool value)
    {
        text = text.Trim();
        value = text is "1" || text.Equals("true", StringComparison.OrdinalIgnoreCase);
        return value || text is "0" || text.Equals("false", StringComparison.OrdinalIgnoreCase);
    }

    /// <summary>
    /// <c>yyyy-MM-dd</c>, <c>T</c> or a space, <c>HH:mm:ss</c>, an optional fraction of up to 9 digits (kept to the
    /// microsecond, as on the wire), then <c>Z</c>, an offset (<c>+02:00</c>, <c>+0200</c>) or nothing. Nothing means
    /// UTC: public datasets such as the Fraud Detection Handbook's write <c>2018-04-01 00:00:31</c> and mean one clock
    /// for the whole file. An offset is converted to UTC.
    /// </summary>
    public static bool TryParseTimestamp(ReadOnlySpan<char> text, out DateTimeOffset value)
    {
        value = default;
        text = text.Trim();
        if (text.Length < 19
            || !TryDigits(text[0..4], out int year) || text[4] != '-'
            || !TryDigits(text[5..7], out int month) || text[7] != '-'
            || !TryDigits(text[8..10], out int day) || text[10] is not ('T' or 't' or ' ')
            || !TryDigits(text[11..13], out int hour) || text[13] != ':'
            || !TryDigits(text[14..16], out int minute) || text[16] != ':'
            || !TryDigits(text[17..19], out int second))
        {
            return false;
        }

        int position = 19;
        int microseconds = 0;
        if (position < text.Length && text[position] == '.')
        {
            int first = ++position;
            while (position < text.Length && char.IsAsciiDigit(text[position]))
            {
                if (position - first < 6)
                {
                    microseconds = (microseconds * 10) + (text[position] - '0');
                }

                position++;
            }

            int digits = position - first;
            if (digits is 0 or > UtcTimestamp.MaxFractionDigits)
            {
                return false;
            }

            for (int i = digits; i < 6; i++)
            {
                microseconds *= 10;
            }
        }

        if (!TryOffset(text[position..], out var offset)
            || year < 1 || month is < 1 or > 12 || day < 1 || day > DateTime.DaysInMonth(year, month)
            || hour > 23 || minute > 59 || second > 59)
        {
            return false;
        }

        var local = new DateTime(year, month, day, hour, minute, second, microseconds / 1000, microseconds % 1000, DateTimeKind.Unspecified);
        var utc = local - offset;
        if (utc < DateTime.MinValue.AddDays(1) || utc > DateTime.MaxValue.AddDays(-1))
        {
            return false;
        }

        value = new DateTimeOffset(utc, TimeSpan.Zero);
        return true;
    }

    private static bool TryOffset(ReadOnlySpan<char> zone, out TimeSpan offset)
    {
        offset = TimeSpan.Zero;
        if (zone.IsEmpty || zone is "Z" or "z")
        {
            return true;
        }

        // +HH:MM, +HHMM or +HH; at most 14 hours either way, as DateTimeOffset allows.
        if (zone.Length < 3 || zone[0] is not ('+' or '-') || !TryDigits(zone[1..3], out int hours))
        {
            return false;
        }

        var minutesText = zone[3..];
        minutesText = minutesText.StartsWith(':') && minutesText.Length == 3 ? minutesText[1..] : minutesText;
        int minutes = 0;
        if (!minutesText.IsEmpty && (minutesText.Length != 2 || !TryDigits(minutesText, out minutes)))
        {
            return false;
        }

        if (hours > 14 || minutes > 59 || (hours == 14 && minutes > 0))
        {
            return false;
        }

        offset = new TimeSpan(hours, minutes, 0) * (zone[0] == '-' ? -1 : 1);
        return true;
    }

    private static bool TryDigits(ReadOnlySpan<char> digits, out int value)
    {
        value = 0;
        foreach (char digit in digits)
        {
            if (!char.IsAsciiDigit(digit))
            {
                return false;
            }

            value = (value * 10) + (digit - '0');
        }

        return true;
    }
}
