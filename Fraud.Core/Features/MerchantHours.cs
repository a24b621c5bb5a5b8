namespace Fraud.Core.Features;

/// <summary>
/// One merchant's (or every merchant's) transactions and known frauds per UTC hour, for the last
/// <see cref="Capacity"/> hours up to the newest hour recorded: the part of a window's last day, the day the label
/// delay ends, that lies before the hour it ends. A fixed ring, allocated once, so counting and reading allocate nothing.
/// </summary>
internal sealed class MerchantHours
{
    private readonly int[] _transactions;
    private readonly int[] _frauds;
    private long _newestHour = long.MinValue;

    /// <param name="days">How many days of hours to keep.</param>
    public MerchantHours(int days)
    {
        Capacity = days * 24;
        _transactions = new int[Capacity];
        _frauds = new int[Capacity];
    }

    /// <summary>How many hours the ring holds.</summary>
    public int Capacity { get; }

    /// <summary>Adds counts to <paramref name="hour"/> (hours since 0001-01-01); an hour too old for the ring is dropped.</summary>
    public void Add(long hour, int transactions, int frauds)
    {
        if (_newestHour == long.MinValue)
        {
            _newestHour = hour;
        }
        else if (hour > _newestHour)
        {
            // The hours between the old newest and this one had nothing: clear their slots as the ring moves on.
            for (long cleared = _newestHour + 1; cleared <= hour && cleared - _newestHour <= Capacity; cleared++)
            {
                _transactions[Slot(cleared)] = 0;
                _frauds[Slot(cleared)] = 0;
            }

            _newestHour = hour;
        }
        else if (_newestHour - hour >= Capacity)
        {
            return;
        }

        int slot = Slot(hour);
        _transactions[slot] += transactions;
        _frauds[slot] += frauds;
    }

    /// <summary>The counts of the hours of <paramref name="hour"/>'s UTC day before it (none at midnight).</summary>
    public (long Transactions, long Frauds) EarlierThatDay(long hour)
    {
        long transactions = 0, frauds = 0;
        if (_newestHour == long.MinValue)
        {
            return (0, 0);
        }

        long oldestHeld = _newestHour - (Capacity - 1);
        for (long earlier = Math.Max(hour - (hour % 24), oldestHeld); earlier < hour && earlier <= _newestHour; earlier++)
        {
            int slot = Slot(earlier);
            transactions += _transactions[slot];
            frauds += _frauds[slot];
        }

        return (transactions, frauds);
    }

    private int Slot(long hour) => (int)(hour % Capacity);
}
