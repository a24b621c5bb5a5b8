using Fraud.Core;
using Fraud.Core.Features;
using static Fraud.Testing.SampleTransactions;

namespace Fraud.UnitTests.Core.Features;

/// <summary>
/// The 7- and 30-day windows (the transaction's own UTC day so far and the 6 or 29 days before it) and the amount
/// ratios to their means. <see cref="Noon"/> is Wednesday 10 September 2025, noon UTC.
/// </summary>
public sealed class DayWindowTests
{
    private static readonly DateTimeOffset Midnight = Noon.AddHours(-12);

    private static Transaction On(DateTimeOffset time, decimal amount = 20m) => Purchase with { Ts = time, Amount = amount };

    /// <summary>The features of <paramref name="next"/> after <paramref name="history"/>, in a fresh state.</summary>
    private static float[] FeaturesAfter(IEnumerable<Transaction> history, Transaction next, FeatureStateOptions? options = null)
    {
        var state = new FeatureState(options);
        var features = new float[FeatureSchema.Count];
        foreach (var transaction in history)
        {
            state.Update(transaction, features);
        }

        state.Update(next, features);
        return features;
    }

    [Fact]
    public void A_first_transaction_has_empty_day_windows()
    {
        var features = FeaturesAfter([], Purchase);

        Assert.Equal([0f, 0f, 0f, 0f, 0f, 0f], DayFeatures(features));
    }

    [Fact]
    public void Day_windows_count_whole_utc_days_back_from_the_transactions_own_day()
    {
        var features = FeaturesAfter(
            [
                On(Midnight.AddDays(-29).AddTicks(-1), 1000m), // 11 Aug, last instant: outside the 30 days
                On(Midnight.AddDays(-29), 10m),                // 12 Aug, first instant: the oldest of the 30 days
                On(Midnight.AddDays(-6).AddTicks(-1), 30m),    // 3 Sep, last instant: outside the 7 days
                On(Midnight.AddDays(-6), 40m),                 // 4 Sep, first instant: the oldest of the 7 days
                On(Midnight, 80m),                             // today, 12 h before: also the only one in 24 h
            ],
            On(Noon, 100m));

        Assert.Equal(2, features[FeatureSchema.Count7d]);
        Assert.Equal(4, features[FeatureSchema.Count30d]);
        Assert.Equal(Math.Log(100.0 / 80), features[FeatureSchema.AmountLogRatio1d], 5);
        Assert.Equal(Math.Log(100.0 / ((40 + 80) / 2.0)), features[FeatureSchema.AmountLogRatio7d], 5);
        Assert.Equal(Math.Log(100.0 / ((10 + 30 + 40 + 80) / 4.0)), features[FeatureSchema.AmountLogRatio30d], 5);
        Assert.Equal(Math.Log(1 + ((10 + 30 + 40 + 80) / 4.0)), features[FeatureSchema.AmountMean30dLog], 5);
    }

    [Fact]
    public void At_midnight_the_window_moves_on_by_a_whole_day()
    {
        Transaction[] lastInstantOf3September = [On(Midnight.AddDays(-6).AddTicks(-1))];

        var lastInstantOf9September = FeaturesAfter(lastInstantOf3September, On(Midnight.AddTicks(-1)));
        var midnightOf10September = FeaturesAfter(lastInstantOf3September, On(Midnight));

        Assert.Equal(1, lastInstantOf9September[FeatureSchema.Count7d]);
        Assert.Equal(0, midnightOf10September[FeatureSchema.Count7d]);
        Assert.Equal(1, midnightOf10September[FeatureSchema.Count30d]);
    }

    [Fact]
    public void A_late_transaction_counts_on_the_day_of_the_users_latest_time()
    {
        var firstDay = Midnight.AddHours(12);
        Transaction[] history =
        [
            On(firstDay, 10m),
            On(firstDay.AddHours(12.5), 20m), // 00:30 the next day
            On(firstDay.AddHours(-1), 30m),   // late: it counts at 00:30 the next day too
        ];

        // Six days after that next day, the first day has left the 7-day window; the late one has not.
        var features = FeaturesAfter(history, On(firstDay.AddDays(7), 50m));

        Assert.Equal(2, features[FeatureSchema.Count7d]);
        Assert.Equal(Math.Log(50.0 / 25), features[FeatureSchema.AmountLogRatio7d], 5);
        Assert.Equal(3, features[FeatureSchema.Count30d]);
    }

    [Fact]
    public void Days_left_behind_by_a_long_gap_are_not_counted_again()
    {
        // Day 35's bucket is day 5's slot, next to day 0's: the days in between must be emptied when the ring turns.
        var options = new FeatureStateOptions { IdleTimeout = TimeSpan.FromDays(365) };

        var features = FeaturesAfter([On(Noon, 1000m), On(Noon.AddDays(35), 10m)], On(Noon.AddDays(36), 10m), options);

        Assert.Equal(1, features[FeatureSchema.Count30d]);
        Assert.Equal(Math.Log(1 + 10), features[FeatureSchema.AmountMean30dLog], 5);
    }

    [Fact]
    public void The_24_hour_mean_is_of_the_remembered_transactions_only()
    {
        var history = Enumerable.Range(0, 40).Select(i => On(Noon.AddMinutes(i), i < 8 ? 1000m : 10m));

        var features = FeaturesAfter(history, On(Noon.AddMinutes(40), 10m));

        Assert.Equal(UserHistory.RecentCapacity, features[FeatureSchema.Count24h]);
        Assert.Equal(0, features[FeatureSchema.AmountLogRatio1d]); // the 8 large amounts have left the ring
        Assert.Equal(40, features[FeatureSchema.Count7d]);
        Assert.Equal(Math.Log(10 / ((8 * 1000.0 + 32 * 10) / 40)), features[FeatureSchema.AmountLogRatio7d], 5);
    }

    [Fact]
    public void Day_windows_match_a_direct_count_over_a_long_irregular_history()
    {
        var random = new Random(7);
        var time = Noon;
        var transactions = new List<Transaction>();
        for (int i = 0; i < 600; i++)
        {
            // Bursts, quiet days, gaps of a week and now and then a transaction up to a day late.
            time += TimeSpan.FromHours(random.Next(4) == 0 ? random.NextDouble() * 24 * 8 : random.NextDouble() * 3);
            var ts = random.Next(20) == 0 ? time - TimeSpan.FromHours(random.NextDouble() * 24) : time;
            transactions.Add(On(ts, Math.Round((decimal)(1 + (random.NextDouble() * 500)), 2)));
        }

        var state = new FeatureState(new FeatureStateOptions { IdleTimeout = TimeSpan.FromDays(365) });
        var features = new float[FeatureSchema.Count];
        var earlier = new List<(long Day, double Amount)>();
        long latest = 0;
        foreach (var transaction in transactions)
        {
            state.Update(transaction, features);
            latest = Math.Max(latest, transaction.Ts.UtcTicks);
            long today = latest / TimeSpan.TicksPerDay;
            var week = earlier.Where(e => today - e.Day < 7).Select(e => e.Amount).ToList();
            var month = earlier.Where(e => today - e.Day < 30).Select(e => e.Amount).ToList();
            double amount = (double)transaction.Amount;

            Assert.Equal(week.Count, features[FeatureSchema.Count7d]);
            Assert.Equal(month.Count, features[FeatureSchema.Count30d]);
            Assert.Equal(week.Count == 0 ? 0 : Math.Log(amount / week.Average()), features[FeatureSchema.AmountLogRatio7d], 1e-5);
            Assert.Equal(month.Count == 0 ? 0 : Math.Log(amount / month.Average()), features[FeatureSchema.AmountLogRatio30d], 1e-5);
            Assert.Equal(month.Count == 0 ? 0 : Math.Log(1 + month.Average()), features[FeatureSchema.AmountMean30dLog], 1e-5);
            earlier.Add((today, amount));
        }

        Assert.Contains(transactions.Zip(transactions.Skip(1)), pair => pair.Second.Ts < pair.First.Ts); // late ones were exercised
    }

    [Fact]
    public void A_users_memory_does_not_grow_with_its_transactions()
    {
        var state = new FeatureState(new FeatureStateOptions { IdleTimeout = TimeSpan.FromDays(365) });
        var features = new float[FeatureSchema.Count];
        var transactions = Enumerable.Range(0, 10_000).Select(i => On(Noon.AddMinutes(i * 17), 5 + (i % 300))).ToArray(); // 118 days
        var warmUp = new FeatureState(new FeatureStateOptions { IdleTimeout = TimeSpan.FromDays(365) });
        foreach (var transaction in transactions)
        {
            warmUp.Update(transaction, features);   // every code path JIT-compiled (and its statics initialised) before measuring
        }

        state.Update(transactions[0], features); // tracks the user

        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 1; i < transactions.Length; i++)
        {
            state.Update(transactions[i], features);
        }

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
        long lastDay = transactions[^1].Ts.UtcTicks / TimeSpan.TicksPerDay;
        Assert.Equal(transactions[..^1].Count(t => lastDay - (t.Ts.UtcTicks / TimeSpan.TicksPerDay) < 30), features[FeatureSchema.Count30d]);
    }

    private static float[] DayFeatures(float[] features) =>
    [
        features[FeatureSchema.Count7d], features[FeatureSchema.Count30d], features[FeatureSchema.AmountLogRatio1d],
        features[FeatureSchema.AmountLogRatio7d], features[FeatureSchema.AmountLogRatio30d], features[FeatureSchema.AmountMean30dLog],
    ];
}
