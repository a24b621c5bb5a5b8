using System.Globalization;

namespace Fraud.Core.Rules;

/// <summary>How rule reasons write numbers and durations: invariant culture, short and stable.</summary>
internal static class RuleText
{
    public static string Amount(double value) => value.ToString("0.00", CultureInfo.InvariantCulture);

    public static string Number(double value) => value.ToString("0.##", CultureInfo.InvariantCulture);

    public static string Hour(double hour) =>
        TimeSpan.FromHours(hour).ToString(hour >= 24 ? @"d\.hh\:mm" : @"hh\:mm", CultureInfo.InvariantCulture);

    /// <summary>E.g. <c>45 s</c>, <c>10 min</c>, <c>1.5 h</c>, <c>2 d</c>.</summary>
    public static string Duration(TimeSpan duration) => duration switch
    {
        { TotalSeconds: < 60 } => $"{Number(duration.TotalSeconds)} s",
        { TotalMinutes: < 60 } => $"{Number(duration.TotalMinutes)} min",
        { TotalHours: < 24 } => $"{Number(duration.TotalHours)} h",
        _ => $"{Number(duration.TotalDays)} d",
    };
}
