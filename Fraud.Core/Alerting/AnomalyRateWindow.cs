namespace Fraud.Core.Alerting;

/// <summary>Transactions and alerts counted over a window, and their ratio (null without transactions).</summary>
public readonly record struct WindowCounts(long Transactions, long Alerts)
{
    /// <summary>Alerts per transaction; null when there were no transactions.</summary>
    public double? Rate => Transactions == 0 ? null : (double)Alerts / Transactions;
}

/// <summary>
/// Transactions and alerts counted per second of their (broker) timestamp, summed over a sliding window that ends
/// at a given second. A ring of one slot per second, each stamped with the second it counts, so memory stays fixed
/// and an old slot is reset when a new second claims it. <see cref="Capacity"/> seconds are kept: the window plus
/// a margin for events that arrive late (an alert is published after its transaction) or are counted ahead of the
/// window's end. Events older than that are dropped (<see cref="Dropped"/>). Not thread-safe: one reader owns it.
/// </summary>
public sealed class AnomalyRateWindow
{
    private readonly long[] _seconds;
    private readonly long[] _transactions;
    private readonly long[] _alerts;
    private long _newest = long.MinValue;

    /// <param name="window">How far back a sum reaches, whole seconds (at least 1).</param>
    /// <param name="margin">Extra seconds kept beyond the window for late and early events.</param>
    public AnomalyRateWindow(TimeSpan window, TimeSpan margin)
    {
        WindowSeconds = Math.Max(1, (int)Math.Ceiling(window.TotalSeconds));
        Capacity = WindowSeconds + Math.Max(1, (int)Math.Ceiling(margin.TotalSeconds));
        _seconds = new long[Capacity];
        Array.Fill(_seconds, long.MinValue);
        _transactions = new long[Capacity];
        _alerts = new long[Capacity];
    }

    /// <summary>The window's length in seconds.</summary>
    public int WindowSeconds { get; }

    /// <summary>Seconds kept: the window plus the margin.</summary>
    public int Capacity { get; }

    /// <summary>Events too old to fit in the ring when they arrived.</summary>
    public long Dropped { get; private set; }

    /// <summary>Counts transactions at their timestamp's second.</summary>
    public void AddTransactions(DateTimeOffset timestamp, long count = 1) => Add(timestamp, count, 0);

    /// <summary>Counts alerts at their timestamp's second.</summary>
    public void AddAlerts(DateTimeOffset timestamp, long count = 1) => Add(timestamp, 0, count);

    /// <summary>The sums over the seconds in (<paramref name="end"/> − window, <paramref name="end"/>].</summary>
    public WindowCounts CountsAt(DateTimeOffset end)
    {
        var last = end.ToUnixTimeSeconds();
        var first = last - WindowSeconds + 1;
        long transactions = 0, alerts = 0;
        for (var slot = 0; slot < Capacity; slot++)
        {
            if (_seconds[slot] >= first && _seconds[slot] <= last)
            {
                transactions += _transactions[slot];
                alerts += _alerts[slot];
            }
        }
        return new WindowCounts(transactions, alerts);
    }

    private void Add(DateTimeOffset timestamp, long transactions, long alerts)
    {
        var second = timestamp.ToUnixTimeSeconds();
        if (_newest != long.MinValue && second <= _newest - Capacity)
        {
            Dropped += transactions + alerts;
            return;
        }
        _newest = Math.Max(_newest, second);
        var slot = (int)(((second % Capacity) + Capacity) % Capacity);
        if (_seconds[slot] != second)
        {
            // The slot still counts an older second (now outside the ring): reuse it.
            _seconds[slot] = second;
            _transactions[slot] = 0;
            _alerts[slot] = 0;
        }
        _transactions[slot] += transactions;
        _alerts[slot] += alerts;
    }
}
