namespace Fraud.Core.Features;

/// <summary>
/// One merchant's (or every merchant's) transactions and known frauds per UTC hour, for the last
/// <see cref="Capacity"/> hours up to the newest hour recorded: the part of a window's last day, the day the label
/// delay ends, that lies before the hour it ends. Only hours with a count are kept, oldest first, in an array grown as
/// they come and pruned as the newest hour moves on: most merchants have a count in a few of the hours (21 of 360 on
/// simulated traffic), so a dense ring per merchant would be almost all zeros. Reading allocates nothing.
/// </summary>
internal sealed class MerchantHours
{
    private const int FirstLength = 4;

    // The hours with a count, in _hours[0 .. _count), sorted by hour; the rest of the array is room to grow.
    private HourCounts[] _hours = [];
    private int _count;
    private long _newestHour = long.MinValue;

    /// <param name="days">How many days of hours to keep.</param>
    public MerchantHours(int days) => Capacity = days * 24;

    /// <summary>How many hours, up to the newest recorded, are kept.</summary>
    public int Capacity { get; }

    /// <summary>Adds counts to <paramref name="hour"/> (hours since 0001-01-01); an hour too old to keep is dropped.</summary>
    public void Add(long hour, int transactions, int frauds)
    {
        if (hour > _newestHour)
        {
            _newestHour = hour;
            DropBefore(hour - (Capacity - 1));
        }
        else if (_newestHour - hour >= Capacity)
        {
            return;
        }

        if (transactions == 0 && frauds == 0)
        {
            return; // an hour without a count takes no room
        }

        int index = FirstAtOrAfter(hour);
        if (index == _count || _hours[index].Hour != hour)
        {
            Insert(index, hour);
        }

        _hours[index].Transactions += transactions;
        _hours[index].Frauds += frauds;
    }

    /// <summary>The counts of the hours of <paramref name="hour"/>'s UTC day before it (none at midnight).</summary>
    public (long Transactions, long Frauds) EarlierThatDay(long hour)
    {
        long transactions = 0, frauds = 0;
        for (int index = FirstAtOrAfter(hour - (hour % 24)); index < _count && _hours[index].Hour < hour; index++)
        {
            transactions += _hours[index].Transactions;
            frauds += _hours[index].Frauds;
        }

        return (transactions, frauds);
    }

    /// <summary>The index of the first hour kept at or after <paramref name="hour"/>; <c>_count</c> when none is.</summary>
    private int FirstAtOrAfter(long hour)
    {
        // Counts come mostly for the newest hour kept or a newer one: found without a search.
        if (_count == 0 || _hours[_count - 1].Hour < hour)
        {
            return _count;
        }

        if (_count == 1 || _hours[_count - 2].Hour < hour)
        {
            return _count - 1;
        }

        int low = 0, high = _count - 1;
        while (low < high)
        {
            int middle = (low + high) >>> 1;
            if (_hours[middle].Hour < hour)
            {
                low = middle + 1;
            }
            else
            {
                high = middle;
            }
        }

        return low;
    }

    private void Insert(int index, long hour)
    {
        if (_count == _hours.Length)
        {
            Array.Resize(ref _hours, Math.Max(FirstLength, _hours.Length * 2));
        }

        Array.Copy(_hours, index, _hours, index + 1, _count - index);
        _hours[index] = new HourCounts { Hour = (int)hour };
        _count++;
    }

    /// <summary>Forgets the hours before <paramref name="oldestKept"/>, and gives back room a busier past needed.</summary>
    private void DropBefore(long oldestKept)
    {
        int dropped = FirstAtOrAfter(oldestKept);
        if (dropped == 0)
        {
            return;
        }

        _count -= dropped;
        if (_count <= _hours.Length / 4 && _hours.Length > FirstLength)
        {
            var kept = new HourCounts[Math.Max(FirstLength, _count * 2)];
            Array.Copy(_hours, dropped, kept, 0, _count);
            _hours = kept;
        }
        else
        {
            Array.Copy(_hours, dropped, _hours, 0, _count);
        }
    }

    /// <summary>
    /// One hour's counts. The hour (since 0001-01-01) fits 32 bits until the year 245,000, past any
    /// <see cref="DateTimeOffset"/>, so an hour takes 12 bytes.
    /// </summary>
    private struct HourCounts
    {
        public int Hour;
        public int Transactions;
        public int Frauds;
    }
}
