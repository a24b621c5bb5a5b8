using System.Runtime.CompilerServices;

namespace Fraud.Core.Features;

// The 7- and 30-day windows (features 20, 21, 23, 24, 25): a transaction counted on UTC day t sees the user's earlier
// transactions of days t − 6 … t (t − 29 … t). Each window's amount sum is the day buckets' sums added from the
// window's oldest day to its newest, so that the newest day, the only one still growing, always comes last:
//
//     sum = (((0 + s[oldest]) + s[oldest + 1]) + … + s[newest − 1]) + s[newest]
//
// Everything before the last addition depends only on days that no longer change (a late transaction counts on the
// newest day), so it is computed once when the newest day moves on (_earlierDays) and a transaction on the newest day,
// most of them, reads its windows with one addition each. The first transaction of a later day walks the buckets
// once, in the same order, so both paths give the same bits. Counts are integers: any order gives the same.
internal partial struct UserActivity
{
    /// <summary>
    /// UTC days with a bucket: the day of the latest transaction and the 29 before it, all that the 30-day window of
    /// a transaction can reach, since a transaction counts on that day or a later one.
    /// </summary>
    public const int DayCapacity = MonthWindowDays;

    private const int WeekWindowDays = 7;
    private const int MonthWindowDays = 30;

    /// <summary>The UTC day of the newest bucket: the day of the latest transaction folded in.</summary>
    private readonly long NewestDay => LastTicks / TimeSpan.TicksPerDay;

    /// <summary>Writes the day-window features of a transaction counted at <paramref name="now"/> (never before <see cref="LastTicks"/>).</summary>
    private readonly void WriteDayWindows(long now, double amount, Span<float> features)
    {
        var windows = DayWindows(now / TimeSpan.TicksPerDay);
        features[FeatureSchema.Count7d] = windows.WeekCount;
        features[FeatureSchema.Count30d] = windows.MonthCount;
        features[FeatureSchema.AmountLogRatio7d] = LogRatioToMean(amount, windows.WeekSum, windows.WeekCount);
        features[FeatureSchema.AmountLogRatio30d] = LogRatioToMean(amount, windows.MonthSum, windows.MonthCount);
        features[FeatureSchema.AmountMean30dLog] = windows.MonthCount == 0 ? 0 : (float)Math.Log(1 + (windows.MonthSum / windows.MonthCount));
    }

    /// <summary>The 7- and 30-day windows of a transaction counted on UTC day <paramref name="today"/>, at least <see cref="NewestDay"/>.</summary>
    private readonly WindowTotals DayWindows(long today)
    {
        if (HistoryCount == 0)
        {
            return default;
        }

        long newestDay = NewestDay;
        if (today != newestDay)
        {
            // The first transaction of a later day: the newest bucket is one of the earlier days now.
            return SumDays(today - MonthWindowDays + 1, today - WeekWindowDays + 1, newestDay, newestDay);
        }

        int slot = DaySlot(newestDay);
        var earlier = _earlierDays;
        return new WindowTotals(
            earlier.WeekCount + _dayCounts[slot],
            earlier.WeekSum + _daySums[slot],
            earlier.MonthCount + _dayCounts[slot],
            earlier.MonthSum + _daySums[slot]);
    }

    /// <summary>
    /// Counts and sums of the buckets of days <paramref name="monthFrom"/> (<paramref name="weekFrom"/> for the week)
    /// to <paramref name="to"/>, oldest first, the ring's newest day being <paramref name="newestDay"/>: days before
    /// its oldest are not counted.
    /// </summary>
    private readonly WindowTotals SumDays(long monthFrom, long weekFrom, long to, long newestDay)
    {
        ReadOnlySpan<int> counts = _dayCounts;
        ReadOnlySpan<double> sums = _daySums;
        long from = Math.Max(monthFrom, newestDay - DayCapacity + 1);
        var totals = default(WindowTotals);
        int slot = DaySlot(from);
        for (long day = from; day <= to; day++)
        {
            totals.MonthCount += counts[slot];
            totals.MonthSum += sums[slot];
            if (day >= weekFrom)
            {
                totals.WeekCount += counts[slot];
                totals.WeekSum += sums[slot];
            }

            slot = slot == DayCapacity - 1 ? 0 : slot + 1;
        }

        return totals;
    }

    /// <summary>Counts a transaction of <paramref name="amount"/> on <paramref name="day"/>, the newest day or a later one.</summary>
    private void AddToDay(long day, double amount)
    {
        if (HistoryCount == 0)
        {
            _earlierDays = default;
        }
        else if (day != NewestDay)
        {
            ClearDaysAfter(NewestDay, day);
            RememberEarlierDays(day);
        }

        int slot = DaySlot(day);
        _dayCounts[slot]++;
        _daySums[slot] += amount;
    }

    /// <summary>
    /// Computes <see cref="_earlierDays"/> from the buckets for <paramref name="newestDay"/>, the ring's newest day: when
    /// it moves on (its bucket still empty), and after a snapshot is read.
    /// </summary>
    private void RememberEarlierDays(long newestDay)
    {
        var totals = SumDays(newestDay - MonthWindowDays + 1, newestDay - WeekWindowDays + 1, newestDay - 1, newestDay);
        _earlierDays = new EarlierDays(totals.WeekCount, totals.MonthCount, totals.WeekSum, totals.MonthSum);
    }

    /// <summary>Empties the buckets of the days after <paramref name="newestDay"/> up to <paramref name="day"/>, which the ring reuses for them.</summary>
    private void ClearDaysAfter(long newestDay, long day)
    {
        Span<int> counts = _dayCounts;
        Span<double> sums = _daySums;
        for (long cleared = newestDay + 1; cleared <= Math.Min(day, newestDay + DayCapacity); cleared++)
        {
            counts[DaySlot(cleared)] = 0;
            sums[DaySlot(cleared)] = 0;
        }
    }

    // Looking back from the first days of year 1 reaches negative days: a Euclidean remainder keeps their slots in range.
    private static int DaySlot(long day) => (int)(((day % DayCapacity) + DayCapacity) % DayCapacity);

    /// <summary>The transactions and summed amounts of the 7- and 30-day windows.</summary>
    private record struct WindowTotals(int WeekCount, double WeekSum, int MonthCount, double MonthSum);

    /// <summary>The windows' part before the newest day: days newest − 6 … newest − 1, and newest − 29 … newest − 1 (24 bytes).</summary>
    private readonly record struct EarlierDays(int WeekCount, int MonthCount, double WeekSum, double MonthSum);

    [InlineArray(DayCapacity)]
    private struct DayCounts
    {
        private int _element;
    }

    [InlineArray(DayCapacity)]
    private struct DaySums
    {
        private double _element;
    }
}
