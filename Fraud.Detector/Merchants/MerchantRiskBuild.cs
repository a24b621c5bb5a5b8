using Fraud.Core.Features;

namespace Fraud.Detector.Merchants;

/// <summary>
/// A merchant-risk table for transactions up to <see cref="Day"/>, with the totals per day of the counts it holds:
/// what tells a later build whether the store has counted more since for a day the table holds.
/// </summary>
/// <param name="Day">The newest UTC day it serves.</param>
/// <param name="Table">The table. The consume loop's: read and extended on its thread only.</param>
/// <param name="Totals">Transactions and known frauds per UTC day of its window, over every merchant.</param>
internal sealed record MerchantRiskBuild(DateOnly Day, MerchantRisk Table, IReadOnlyDictionary<DateOnly, DayTotal> Totals)
{
    /// <summary>
    /// The table for the next day: this one's, with the hours of the one day the windows newly reach added. A table
    /// serves earlier days the same, so the table in hand is extended in place, on the consume loop's thread.
    /// </summary>
    public MerchantRiskBuild Extend(MerchantRiskNextDay next)
    {
        if (next.Day != Day.AddDays(1))
        {
            throw new ArgumentException($"A table for {Day} extends to {Day.AddDays(1)} only, not {next.Day}.", nameof(next));
        }

        foreach (var hour in next.Hours)
        {
            Table.Add(hour.MerchantId, hour.Hour, hour.Transactions, hour.Frauds);
        }

        return new MerchantRiskBuild(next.Day, Table, next.Totals);
    }
}

/// <summary>What a table built for the day before <see cref="Day"/> lacks for it: the hours of the one day its windows newly reach.</summary>
/// <param name="Day">The day the extended table serves.</param>
/// <param name="Hours">Every merchant's transactions and known frauds, by the hour, on the day the windows newly reach.</param>
/// <param name="Totals">The totals per day of the extended table's window, as the store had them.</param>
internal sealed record MerchantRiskNextDay(DateOnly Day, IReadOnlyList<MerchantHourCount> Hours, IReadOnlyDictionary<DateOnly, DayTotal> Totals);

/// <summary>One merchant's transactions and known frauds in one UTC hour.</summary>
internal readonly record struct MerchantHourCount(string MerchantId, DateTimeOffset Hour, int Transactions, int Frauds);

/// <summary>Transactions counted and frauds known on one UTC day, over every merchant.</summary>
internal readonly record struct DayTotal(long Transactions, long Frauds)
{
    public static DayTotal operator +(DayTotal left, DayTotal right) =>
        new(left.Transactions + right.Transactions, left.Frauds + right.Frauds);
}

/// <summary>
/// The UTC days the merchant risk of transactions up to a day reads: whole days from <see cref="OldestDay"/>, hours
/// from <see cref="HourlyFromDay"/> to <see cref="NewestDay"/> (the label delay's last day), inclusive.
/// </summary>
internal readonly record struct MerchantRiskWindow(DateOnly OldestDay, DateOnly HourlyFromDay, DateOnly NewestDay)
{
    /// <summary>
    /// For transactions on <paramref name="day"/> and up to <see cref="MerchantRisk.LateDays"/> days earlier: 30 days
    /// and the late days before the delay's last day, whose hours are read for the late days.
    /// </summary>
    public static MerchantRiskWindow For(MerchantRiskOptions options, DateOnly day)
    {
        var delayEnds = day.AddDays(-options.LabelDelayDays);
        return new(delayEnds.AddDays(-MerchantRisk.LongestWindowDays - MerchantRisk.LateDays), delayEnds.AddDays(-MerchantRisk.LateDays), delayEnds);
    }
}
