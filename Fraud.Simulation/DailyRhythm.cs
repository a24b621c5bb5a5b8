namespace Fraud.Simulation;

/// <summary>
/// How busy card use is at each hour of the week, relative to the weekly average (1.0): low at night, peaks at
/// lunch and after work, Saturdays busy from late morning, Sundays quieter (shops shut in much of Europe).
/// The population lives in Europe, so hours are Central European Time (UTC+1, summer time ignored).
/// </summary>
internal static class DailyRhythm
{
    private const long MicrosecondsPerHour = 3_600_000_000;
    private const int UtcOffsetHours = 1;

    // 1970-01-01, the origin of Unix time, was a Thursday; the table starts on Monday.
    private const int HoursFromMondayToEpoch = 3 * 24;

    // Relative activity per local hour 00..23; only the shape matters, the table is normalised below.
    private static readonly double[] Weekday =
        [0.15, 0.08, 0.05, 0.04, 0.04, 0.08, 0.25, 0.60, 0.95, 1.10, 1.25, 1.40, 1.70, 1.65, 1.30, 1.20, 1.30, 1.55, 1.75, 1.60, 1.20, 0.80, 0.50, 0.30];

    private static readonly double[] Saturday =
        [0.35, 0.20, 0.12, 0.07, 0.05, 0.05, 0.10, 0.20, 0.45, 0.85, 1.35, 1.70, 1.85, 1.80, 1.60, 1.60, 1.65, 1.60, 1.50, 1.35, 1.10, 0.85, 0.60, 0.45];

    private static readonly double[] Sunday =
        [0.35, 0.25, 0.15, 0.08, 0.05, 0.05, 0.08, 0.15, 0.30, 0.50, 0.70, 0.85, 0.95, 0.95, 0.85, 0.80, 0.80, 0.85, 0.90, 0.90, 0.80, 0.60, 0.40, 0.25];

    /// <summary>168 hourly intensities, Monday 00:00 first, averaging exactly 1.</summary>
    private static readonly double[] Week = Normalise([.. Weekday, .. Weekday, .. Weekday, .. Weekday, .. Weekday, .. Saturday, .. Sunday]);

    /// <summary>The busiest hour's intensity: the bound the thinning of arrivals needs.</summary>
    public static readonly double Peak = Week.Max();

    /// <summary>Intensity at an instant (microseconds since the Unix epoch, UTC); 1.0 is the weekly average.</summary>
    public static double At(long unixMicroseconds)
    {
        long localHour = Math.DivRem(unixMicroseconds, MicrosecondsPerHour, out long remainder) - (remainder < 0 ? 1 : 0) + UtcOffsetHours;
        return Week[(int)(((localHour + HoursFromMondayToEpoch) % Week.Length + Week.Length) % Week.Length)];
    }

    private static double[] Normalise(double[] hours)
    {
        double mean = hours.Average();
        return Array.ConvertAll(hours, h => h / mean);
    }
}
