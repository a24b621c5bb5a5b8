using Fraud.Core.Alerting;

namespace Fraud.UnitTests.Core.Alerting;

public sealed class AnomalyRateWindowTests
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 26, 12, 0, 0, TimeSpan.Zero);

    private static AnomalyRateWindow Window(int seconds, int margin = 10) => new(TimeSpan.FromSeconds(seconds), TimeSpan.FromSeconds(margin));

    [Fact]
    public void An_empty_window_has_no_rate()
    {
        var counts = Window(10).CountsAt(T0);

        Assert.Equal(new WindowCounts(0, 0), counts);
        Assert.Null(counts.Rate);
    }

    [Fact]
    public void The_rate_is_alerts_over_transactions_within_the_window()
    {
        var window = Window(10);
        window.AddTransactions(T0, 200);
        window.AddAlerts(T0.AddSeconds(3), 10);

        var counts = window.CountsAt(T0.AddSeconds(5));

        Assert.Equal(new WindowCounts(200, 10), counts);
        Assert.Equal(0.05, counts.Rate);
    }

    [Fact]
    public void Seconds_older_than_the_window_no_longer_count()
    {
        var window = Window(10);
        window.AddTransactions(T0, 100);
        window.AddAlerts(T0, 50);
        window.AddTransactions(T0.AddSeconds(10), 100);

        Assert.Equal(new WindowCounts(100, 50), window.CountsAt(T0.AddSeconds(9)));
        Assert.Equal(new WindowCounts(100, 0), window.CountsAt(T0.AddSeconds(10)));
    }

    [Fact]
    public void The_window_covers_exactly_its_length_in_whole_seconds_ending_at_the_given_second()
    {
        var window = Window(3);
        for (var s = 0; s < 6; s++)
        {
            window.AddTransactions(T0.AddSeconds(s), 1L << s);
        }

        // Seconds 3, 4 and 5: 8 + 16 + 32.
        Assert.Equal(56, window.CountsAt(T0.AddSeconds(5)).Transactions);
        // Seconds 1, 2 and 3.
        Assert.Equal(14, window.CountsAt(T0.AddSeconds(3)).Transactions);
    }

    [Fact]
    public void Events_after_the_end_are_kept_for_a_later_evaluation_but_not_counted_now()
    {
        var window = Window(10);
        window.AddTransactions(T0, 10);
        window.AddAlerts(T0.AddSeconds(2), 5); // an alert published after the window's end (settle delay)

        Assert.Equal(new WindowCounts(10, 0), window.CountsAt(T0.AddSeconds(1)));
        Assert.Equal(new WindowCounts(10, 5), window.CountsAt(T0.AddSeconds(2)));
    }

    [Fact]
    public void A_slot_reused_by_a_later_second_forgets_the_older_counts()
    {
        var window = Window(2, margin: 1); // 3 slots
        window.AddTransactions(T0, 7);
        window.AddTransactions(T0.AddSeconds(3), 1); // same slot as T0

        Assert.Equal(1, window.CountsAt(T0.AddSeconds(3)).Transactions);
        Assert.Equal(0, window.CountsAt(T0).Transactions);
    }

    [Fact]
    public void Events_too_late_for_the_ring_are_dropped_and_counted_as_dropped()
    {
        var window = Window(5, margin: 5);
        window.AddTransactions(T0.AddSeconds(100), 1);
        window.AddAlerts(T0.AddSeconds(90), 3); // 10 s behind the newest: outside the 10-slot ring

        Assert.Equal(3, window.Dropped);
        Assert.Equal(new WindowCounts(1, 0), window.CountsAt(T0.AddSeconds(100)));
    }

    [Fact]
    public void Late_events_within_the_margin_still_count_in_their_own_second()
    {
        var window = Window(5, margin: 5);
        window.AddTransactions(T0.AddSeconds(10), 4);
        window.AddAlerts(T0.AddSeconds(8), 2); // arrives after newer transactions

        Assert.Equal(new WindowCounts(4, 2), window.CountsAt(T0.AddSeconds(10)));
        Assert.Equal(0, window.Dropped);
    }

    [Fact]
    public void A_gap_in_traffic_longer_than_the_ring_leaves_nothing_stale()
    {
        var window = Window(5, margin: 2);
        window.AddTransactions(T0, 100);
        window.AddAlerts(T0, 100);
        window.AddTransactions(T0.AddHours(1), 10);

        Assert.Equal(new WindowCounts(10, 0), window.CountsAt(T0.AddHours(1)));
    }

    [Fact]
    public void Sub_second_windows_round_up_to_one_second()
    {
        var window = new AnomalyRateWindow(TimeSpan.FromMilliseconds(200), TimeSpan.Zero);

        Assert.Equal(1, window.WindowSeconds);
        Assert.Equal(2, window.Capacity);
    }
}
