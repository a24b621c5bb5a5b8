using System.Runtime.CompilerServices;

namespace Fraud.Core.Features;

/// <summary>
/// One merchant's transactions and known frauds per UTC day, for the last <see cref="Capacity"/> days up to the
/// newest day recorded: a fixed ring, so that counting and reading allocate nothing and a merchant takes the same
/// memory however busy it is.
/// </summary>
internal struct MerchantDays
{
    public const int Capacity = 64;

    private DayCounts _transactions;
    private DayCounts _frauds;
    private long _newestDay;
    private bool _any;

    /// <summary>The newest UTC day (days since 0001-01-01) with a count; meaningless while nothing is recorded.</summary>
    public readonly long NewestDay => _newestDay;

    /// <summary>Whether anything was recorded.</summary>
    public readonly bool IsEmpty => !_any;

    /// <summary>Adds counts to <paramref name="day"/>; a day more than <see cref="Capacity"/> days before the newest is dropped.</summary>
    /// <returns>False when the day was too old to keep.</returns>
    public bool Add(long day, int transactions, int frauds)
    {
        if (!_any)
        {
            (_any, _newestDay) = (true, day);
        }
        else if (day > _newestDay)
        {
            // The days between the old newest and this one had nothing: clear their slots as the ring moves on.
            for (long cleared = _newestDay + 1; cleared <= day && cleared - _newestDay <= Capacity; cleared++)
            {
                _transactions[Slot(cleared)] = 0;
                _frauds[Slot(cleared)] = 0;
            }

            _newestDay = day;
        }
        else if (_newestDay - day >= Capacity)
        {
            return false;
        }

        int slot = Slot(day);
        _transactions[slot] += transactions;
        _frauds[slot] += frauds;
        return true;
    }

    /// <summary>The counts of <paramref name="day"/>, zero when it is not in the ring.</summary>
    public readonly (int Transactions, int Frauds) On(long day) =>
        _any && day <= _newestDay && _newestDay - day < Capacity ? (_transactions[Slot(day)], _frauds[Slot(day)]) : (0, 0);

    /// <summary>
    /// The counts of the 1, 7 and 30 days ending with <paramref name="newestDay"/> (days not in the ring count as 0):
    /// one pass over the days the ring holds, rather than a lookup per day.
    /// </summary>
    public readonly WindowCounts Windows(long newestDay)
    {
        var windows = default(WindowCounts);
        if (!_any)
        {
            return windows;
        }

        long oldest = Math.Max(newestDay - (WindowCounts.LongestDays - 1), _newestDay - (Capacity - 1));
        for (long day = Math.Min(newestDay, _newestDay); day >= oldest; day--)
        {
            long age = newestDay - day;
            int slot = Slot(day);
            windows.Add(age, _transactions[slot], _frauds[slot]);
        }

        return windows;
    }

    private static int Slot(long day) => (int)(day % Capacity);

    [InlineArray(Capacity)]
    private struct DayCounts
    {
        private int _element;
    }
}

/// <summary>Transactions and frauds over the 1, 7 and 30 days ending with a given day (and the hours after it a window reaches).</summary>
internal struct WindowCounts
{
    public const int LongestDays = 30;

    public long Transactions1d, Frauds1d, Transactions7d, Frauds7d, Transactions30d, Frauds30d;

    /// <summary>Adds counts that every window sees: the hours of the day after the newest one that it reaches.</summary>
    public void AddToEvery((long Transactions, long Frauds) counts)
    {
        Transactions1d += counts.Transactions;
        Transactions7d += counts.Transactions;
        Transactions30d += counts.Transactions;
        Frauds1d += counts.Frauds;
        Frauds7d += counts.Frauds;
        Frauds30d += counts.Frauds;
    }

    /// <summary>Counts a day <paramref name="age"/> days before the newest one (0: the newest), within 30.</summary>
    public void Add(long age, int transactions, int frauds)
    {
        Transactions30d += transactions;
        Frauds30d += frauds;
        if (age < 7)
        {
            Transactions7d += transactions;
            Frauds7d += frauds;
            if (age < 1)
            {
                Transactions1d += transactions;
                Frauds1d += frauds;
            }
        }
    }
}
