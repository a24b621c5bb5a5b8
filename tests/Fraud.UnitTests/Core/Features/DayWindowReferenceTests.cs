using System.Buffers;
using Fraud.Core;
using Fraud.Core.Features;
using static Fraud.Testing.SampleTransactions;

namespace Fraud.UnitTests.Core.Features;

/// <summary>
/// The day windows (features 20, 21, 23–25), which the state reads from totals kept as its users' days go by, against
/// a direct computation from every earlier transaction: the same bits, on random streams of several users with busy
/// days, quiet days, gaps longer than 30 days, late transactions and users moved by snapshot mid-stream.
/// </summary>
public sealed class DayWindowReferenceTests
{
    private static readonly FeatureStateOptions NeverIdle = new() { IdleTimeout = TimeSpan.FromDays(3650) };

    private static readonly int[] DayFeatures =
    [
        FeatureSchema.Count7d, FeatureSchema.Count30d, FeatureSchema.AmountLogRatio7d, FeatureSchema.AmountLogRatio30d, FeatureSchema.AmountMean30dLog,
    ];

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public void Day_windows_equal_a_direct_sum_over_every_earlier_transaction_bit_for_bit(int seed)
    {
        var state = new FeatureState(NeverIdle);
        var reference = new DirectDayWindows();
        var features = new float[FeatureSchema.Count];

        foreach (var transaction in RandomStream(seed))
        {
            state.Update(transaction, features);

            AssertSameDayFeatures(reference.FeaturesOf(transaction), features, transaction);
            reference.Add(transaction);
        }
    }

    [Theory]
    [InlineData(4)]
    [InlineData(5)]
    public void Day_windows_continue_bit_for_bit_after_users_are_moved_by_snapshot_mid_stream(int seed)
    {
        var random = new Random(seed);
        var state = new FeatureState(NeverIdle);
        var reference = new DirectDayWindows();
        var features = new float[FeatureSchema.Count];
        var buffer = new ArrayBufferWriter<byte>();
        int moved = 0;

        foreach (var transaction in RandomStream(seed))
        {
            if (state.Contains(transaction.UserId) && random.Next(8) == 0)
            {
                // As a detector restarting or taking over the partition: the user comes back from its snapshot only.
                buffer.ResetWrittenCount();
                Assert.True(state.TryExport(transaction.UserId, buffer));
                state.Forget(transaction.UserId);
                Assert.True(state.TryImport(transaction.UserId, buffer.WrittenSpan));
                moved++;
            }

            state.Update(transaction, features);

            AssertSameDayFeatures(reference.FeaturesOf(transaction), features, transaction);
            reference.Add(transaction);
        }

        Assert.True(moved > 100, $"only {moved} users were moved");
    }

    /// <summary>
    /// Four users, 3,000 transactions over about a year: bursts within a day, quiet days, now and then a gap of 31 to
    /// 60 days, transactions up to two days late, some exactly at midnight, amounts from a cent to a million. User 3
    /// always pays 0.10, which a double does not hold exactly: its amount over its mean is 1 up to the rounding of the
    /// sums, so its log ratios are that rounding itself, and adding the same days in another order shows in the bits.
    /// </summary>
    private static List<Transaction> RandomStream(int seed)
    {
        var random = new Random(seed);
        var clock = new Dictionary<long, DateTimeOffset>();
        var stream = new List<Transaction>();
        for (int i = 0; i < 3_000; i++)
        {
            long user = random.Next(4);
            var time = clock.GetValueOrDefault(user, Noon);
            time += random.Next(40) switch
            {
                0 => TimeSpan.FromDays(31 + (random.NextDouble() * 29)),   // longer than the 30-day window
                < 8 => TimeSpan.FromHours(random.NextDouble() * 72),      // quiet days
                _ => TimeSpan.FromMinutes(random.NextDouble() * 90),      // a busy day
            };
            if (random.Next(25) == 0)
            {
                time = new DateTimeOffset(time.UtcDateTime.Date, TimeSpan.Zero).AddDays(1); // exactly midnight
            }

            clock[user] = time;
            var ts = random.Next(12) == 0 ? time - TimeSpan.FromHours(random.NextDouble() * 48) : time; // late
            decimal amount = user == 3 ? 0.10m : random.Next(4) switch
            {
                0 => Math.Round((decimal)(random.NextDouble() * 2), 2) + 0.01m,
                1 => Math.Round((decimal)(random.NextDouble() * 1_000_000), 2) + 0.01m,
                _ => Math.Round((decimal)(random.NextDouble() * 300), 2) + 0.01m,
            };
            stream.Add(Purchase with { TxId = $"tx_{i}", UserId = user, Ts = ts, Amount = amount });
        }

        Assert.Contains(stream.Zip(stream.Skip(1)), pair => pair.First.UserId == pair.Second.UserId && pair.Second.Ts < pair.First.Ts);
        return stream;
    }

    private static void AssertSameDayFeatures(float[] expected, float[] actual, Transaction transaction)
    {
        foreach (int feature in DayFeatures)
        {
            // Compared as bits: equal floats, not close ones.
            Assert.True(
                BitConverter.SingleToInt32Bits(expected[feature]) == BitConverter.SingleToInt32Bits(actual[feature]),
                $"{FeatureSchema.Names[feature]} of {transaction.TxId} (user {transaction.UserId}, {transaction.Ts:O}): expected {expected[feature]:R}, got {actual[feature]:R}");
        }
    }

    /// <summary>
    /// The day windows computed the plain way: every earlier transaction of the user kept with the UTC day it counts
    /// on (its own, or its user's latest when it is late); a window's sum adds each day's amounts in arrival order,
    /// then the days from the window's oldest to its newest, as <c>docs/features.md</c> defines it.
    /// </summary>
    private sealed class DirectDayWindows
    {
        private readonly Dictionary<long, List<(long Day, double Amount)>> _earlier = [];
        private readonly Dictionary<long, long> _latestTicks = [];

        public float[] FeaturesOf(Transaction transaction)
        {
            long today = CountsAt(transaction) / TimeSpan.TicksPerDay;
            var earlier = _earlier.GetValueOrDefault(transaction.UserId) ?? [];
            double amount = (double)transaction.Amount;
            var (weekCount, weekSum) = Window(earlier, today, 7);
            var (monthCount, monthSum) = Window(earlier, today, 30);
            var features = new float[FeatureSchema.Count];
            features[FeatureSchema.Count7d] = weekCount;
            features[FeatureSchema.Count30d] = monthCount;
            features[FeatureSchema.AmountLogRatio7d] = weekCount == 0 ? 0 : (float)Math.Log(amount / (weekSum / weekCount));
            features[FeatureSchema.AmountLogRatio30d] = monthCount == 0 ? 0 : (float)Math.Log(amount / (monthSum / monthCount));
            features[FeatureSchema.AmountMean30dLog] = monthCount == 0 ? 0 : (float)Math.Log(1 + (monthSum / monthCount));
            return features;
        }

        public void Add(Transaction transaction)
        {
            long ticks = CountsAt(transaction);
            _latestTicks[transaction.UserId] = ticks;
            if (!_earlier.TryGetValue(transaction.UserId, out var earlier))
            {
                _earlier[transaction.UserId] = earlier = [];
            }

            earlier.Add((ticks / TimeSpan.TicksPerDay, (double)transaction.Amount));
        }

        private long CountsAt(Transaction transaction) =>
            Math.Max(transaction.Ts.UtcTicks, _latestTicks.GetValueOrDefault(transaction.UserId, long.MinValue));

        private static (int Count, double Sum) Window(List<(long Day, double Amount)> earlier, long today, int days)
        {
            var inWindow = earlier.Where(e => e.Day > today - days).ToList();
            int count = 0;
            double sum = 0;
            for (long day = today - days + 1; day <= today; day++)
            {
                double daySum = 0;
                foreach (var (_, amount) in inWindow.Where(e => e.Day == day))
                {
                    daySum += amount;
                    count++;
                }

                sum += daySum;
            }

            return (count, sum);
        }
    }
}
