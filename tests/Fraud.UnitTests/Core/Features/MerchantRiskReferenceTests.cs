using Fraud.Core;
using Fraud.Core.Features;
using static Fraud.Testing.SampleTransactions;

namespace Fraud.UnitTests.Core.Features;

/// <summary>
/// Merchant risk (features 26–31), which keeps each merchant's values for the hour being read, against a direct
/// computation from every count recorded: the same bits on a random stream where days go by, transactions arrive a
/// few days late, frauds are labelled after the delay has passed (a count on a day the windows already see) and
/// counts for past days and hours are added as a store would.
/// </summary>
public sealed class MerchantRiskReferenceTests
{
    [Theory]
    [InlineData(1, 10.0)]
    [InlineData(2, 0.0)]
    [InlineData(3, 2.5)]
    public void Merchant_features_equal_a_direct_count_of_every_recorded_day_bit_for_bit(int seed, double priorStrength)
    {
        var random = new Random(seed);
        var options = new MerchantRiskOptions { PriorStrength = priorStrength };
        var risk = new MerchantRisk(options);
        var reference = new DirectMerchantRisk(options);
        string[] merchants = Enumerable.Range(0, 12).Select(i => $"m_{i}").ToArray();
        var today = new DateTimeOffset(Noon.UtcDateTime.Date, TimeSpan.Zero);
        int lateLabels = 0, lateReads = 0;

        for (int i = 0; i < 8_000; i++)
        {
            if (random.Next(150) == 0)
            {
                today = today.AddDays(random.Next(1, 3)); // a day or two go by
            }

            string? merchant = random.Next(30) == 0 ? null : merchants[random.Next(random.Next(2) == 0 ? 3 : merchants.Length)];
            var day = random.Next(20) == 0 ? today.AddDays(-random.Next(1, 4)) : today; // now and then a late transaction
            lateReads += day < today ? 1 : 0;
            var transaction = Purchase with { TxId = $"tx_{i}", MerchantId = merchant, Ts = day.AddSeconds(random.Next(86_400)) };

            var features = new float[FeatureSchema.Count];
            risk.WriteFeatures(transaction, features);
            AssertSameMerchantFeatures(reference.FeaturesOf(transaction), features, transaction);

            risk.RecordTransaction(transaction);
            reference.Add(merchant, transaction.Ts, 1, 0);
            if (merchant is not null && random.Next(15) == 0)
            {
                risk.RecordFraud(merchant, transaction.Ts); // labelled as it passes: the windows see it after the delay
                reference.Add(merchant, transaction.Ts, 0, 1);
            }

            if (random.Next(150) == 0)
            {
                // A fraud found out long after, on a day the windows of today already see.
                var pastDay = today.AddDays(-random.Next(8, 40)).AddHours(random.Next(24));
                string labelled = merchants[random.Next(merchants.Length)];
                risk.RecordFraud(labelled, pastDay);
                reference.Add(labelled, pastDay, 0, 1);
                lateLabels += 1;
            }

            if (random.Next(300) == 0)
            {
                // Counts of a past day from a store, the online path.
                var pastDay = today.AddDays(-random.Next(1, 40));
                string counted = merchants[random.Next(merchants.Length)];
                int transactions = random.Next(1, 20), frauds = random.Next(0, 3);
                risk.Add(counted, DateOnly.FromDateTime(pastDay.UtcDateTime), transactions, frauds);
                reference.Add(counted, pastDay, transactions, frauds, hourly: false);
            }

            if (random.Next(300) == 0)
            {
                // Counts of a past hour from a store, as the online path loads the days whose hours windows read.
                var pastHour = today.AddDays(-random.Next(1, 15)).AddHours(random.Next(24));
                string counted = merchants[random.Next(merchants.Length)];
                int transactions = random.Next(1, 20), frauds = random.Next(0, 3);
                risk.Add(counted, pastHour, transactions, frauds);
                reference.Add(counted, pastHour, transactions, frauds);
            }
        }

        Assert.True(lateLabels > 20 && lateReads > 200, $"{lateLabels} late labels, {lateReads} late transactions");
    }

    private static void AssertSameMerchantFeatures(float[] expected, float[] actual, Transaction transaction)
    {
        for (int feature = FeatureSchema.MerchantCount1dLog; feature <= FeatureSchema.MerchantRisk30d; feature++)
        {
            Assert.True(
                BitConverter.SingleToInt32Bits(expected[feature]) == BitConverter.SingleToInt32Bits(actual[feature]),
                $"{FeatureSchema.Names[feature]} of {transaction.TxId} ({transaction.MerchantId ?? "no merchant"}, {transaction.Ts:O}): expected {expected[feature]:R}, got {actual[feature]:R}");
        }
    }

    /// <summary>
    /// Merchant risk as <c>docs/features.md</c> defines it, from every count kept as given: for windows of 1, 7 and 30
    /// whole UTC days ending the label delay before the transaction's day, plus the hours of the next day before the
    /// transaction's hour, ln(1 + the merchant's transactions) and (frauds + k·p) / (transactions + k), p being every
    /// merchant's share of fraud over the same days and hours.
    /// </summary>
    private sealed class DirectMerchantRisk(MerchantRiskOptions options)
    {
        // Per UTC day, and per UTC hour for counts given by the hour, per merchant: the transactions and frauds counted.
        private readonly Dictionary<long, Dictionary<string, (long Transactions, long Frauds)>> _days = [];
        private readonly Dictionary<long, Dictionary<string, (long Transactions, long Frauds)>> _hours = [];

        public void Add(string? merchant, DateTimeOffset ts, int transactions, int frauds, bool hourly = true)
        {
            if (merchant is null)
            {
                return;
            }

            AddTo(_days, ts.UtcTicks / TimeSpan.TicksPerDay, merchant, transactions, frauds);
            if (hourly)
            {
                AddTo(_hours, ts.UtcTicks / TimeSpan.TicksPerHour, merchant, transactions, frauds);
            }
        }

        private static void AddTo(Dictionary<long, Dictionary<string, (long Transactions, long Frauds)>> counts, long key, string merchant, int transactions, int frauds)
        {
            if (!counts.TryGetValue(key, out var merchants))
            {
                counts[key] = merchants = [];
            }

            var (before, fraudsBefore) = merchants.GetValueOrDefault(merchant);
            merchants[merchant] = (before + transactions, fraudsBefore + frauds);
        }

        public float[] FeaturesOf(Transaction transaction)
        {
            var features = new float[FeatureSchema.Count];
            if (_days.Count == 0)
            {
                return features; // nothing counted at all: zeros
            }

            long newestVisible = (transaction.Ts.UtcTicks / TimeSpan.TicksPerDay) - options.LabelDelayDays - 1;
            long delayEnds = (transaction.Ts.UtcTicks / TimeSpan.TicksPerHour) - (24L * options.LabelDelayDays);
            int window = 0;
            foreach (int days in new[] { 1, 7, 30 })
            {
                long all = 0, allFrauds = 0, transactions = 0, frauds = 0;
                var wholeDays = Enumerable.Range(0, days).Select(back => _days.GetValueOrDefault(newestVisible - back));
                var hoursAfter = Enumerable.Range(0, (int)(delayEnds % 24)).Select(back => _hours.GetValueOrDefault(delayEnds - 1 - back));
                foreach (var period in wholeDays.Concat(hoursAfter))
                {
                    foreach (var (merchant, counts) in period ?? [])
                    {
                        all += counts.Transactions;
                        allFrauds += counts.Frauds;
                        if (merchant == transaction.MerchantId)
                        {
                            transactions += counts.Transactions;
                            frauds += counts.Frauds;
                        }
                    }
                }

                double prior = all == 0 ? 0 : allFrauds / (double)all;
                double weight = transactions + options.PriorStrength;
                features[FeatureSchema.MerchantCount1dLog + window] = (float)Math.Log(1 + transactions);
                features[FeatureSchema.MerchantRisk1d + window] = (float)(weight == 0 ? 0 : (frauds + (options.PriorStrength * prior)) / weight);
                window++;
            }

            return features;
        }
    }
}
