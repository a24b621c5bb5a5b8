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

    private static int Slot(long day) => (int)(day % Capacity);

    [InlineArray(Capacity)]
    private struct DayCounts
    {
        private int _element;
    }
}
