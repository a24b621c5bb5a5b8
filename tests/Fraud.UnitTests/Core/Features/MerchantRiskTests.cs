using Fraud.Core;
using Fraud.Core.Features;
using static Fraud.Testing.SampleTransactions;

namespace Fraud.UnitTests.Core.Features;

public sealed class MerchantRiskTests
{
    private const int Count1d = FeatureSchema.MerchantCount1dLog, Count7d = FeatureSchema.MerchantCount7dLog, Count30d = FeatureSchema.MerchantCount30dLog;
    private const int Risk1d = FeatureSchema.MerchantRisk1d, Risk7d = FeatureSchema.MerchantRisk7d, Risk30d = FeatureSchema.MerchantRisk30d;

    /// <summary>Midnight starting 10 September 2025, the day of <see cref="Noon"/>.</summary>
    private static readonly DateTimeOffset Today = Noon.Date;

    private static Transaction At(string merchant, DateTimeOffset ts) => Purchase with { MerchantId = merchant, Ts = ts };

    private static float[] Read(MerchantRisk risk, Transaction transaction)
    {
        var values = new float[FeatureSchema.Count];
        risk.WriteFeatures(transaction, values);
        return values;
    }

    private static void Record(MerchantRisk risk, string merchant, DateTimeOffset ts, int transactions, int frauds)
    {
        for (int i = 0; i < transactions; i++)
        {
            risk.RecordTransaction(At(merchant, ts));
            if (i < frauds)
            {
                risk.RecordFraud(merchant, ts);
            }
        }
    }

    [Fact]
    public void A_window_ends_the_whole_day_before_the_label_delay_so_every_label_it_uses_is_that_old()
    {
        var risk = new MerchantRisk(new MerchantRiskOptions { PriorStrength = 0 });
        Record(risk, "m_1", Today.AddDays(-8).AddTicks(TimeSpan.TicksPerDay - 1), transactions: 4, frauds: 1); // last instant of day d−8
        Record(risk, "m_1", Today.AddDays(-7), transactions: 5, frauds: 5);                                   // first instant of day d−7

        // At the very start of today, day d−7 is less than 7 days old: its labels are not known yet.
        var values = Read(risk, At("m_1", Today));

        Assert.Equal(Math.Log(1 + 4), values[Count1d], 5);
        Assert.Equal(0.25, values[Risk1d], 5);

        // Tomorrow, day d−7 has aged past the delay and is the 1-day window.
        var tomorrow = Read(risk, At("m_1", Today.AddDays(1)));

        Assert.Equal(Math.Log(1 + 5), tomorrow[Count1d], 5);
        Assert.Equal(1.0, tomorrow[Risk1d], 5);
        Assert.Equal(Math.Log(1 + 9), tomorrow[Count7d], 5);
        Assert.Equal(6 / 9.0, tomorrow[Risk7d], 5);
    }

    [Fact]
    public void The_last_day_of_the_windows_is_read_up_to_the_hour_the_delay_ends()
    {
        var risk = new MerchantRisk(new MerchantRiskOptions { PriorStrength = 0 });
        Record(risk, "m_1", Today.AddDays(-8).AddHours(12), transactions: 4, frauds: 0); // a whole day in every window
        Record(risk, "m_1", Today.AddDays(-7).AddHours(10).AddMinutes(59), transactions: 2, frauds: 2); // hour 10 of day d−7

        // Within hour 10 of today, that hour is not 7 days old as a whole: not read, however late in the hour.
        var sameHour = Read(risk, At("m_1", Today.AddHours(10).AddMinutes(59)));
        var nextHour = Read(risk, At("m_1", Today.AddHours(11)));

        Assert.Equal(Math.Log(1 + 4), sameHour[Count1d], 5);
        Assert.Equal(0, sameHour[Risk1d]);
        Assert.Equal(Math.Log(1 + 6), nextHour[Count1d], 5);
        Assert.Equal(2 / 6.0, nextHour[Risk1d], 5);
        Assert.Equal(Math.Log(1 + 6), nextHour[Count7d], 5);
        Assert.Equal(2 / 6.0, nextHour[Risk30d], 5);
    }

    [Fact]
    public void Counts_of_a_whole_day_are_not_read_by_the_hour_before_the_day_has_aged_past_the_delay()
    {
        var risk = new MerchantRisk(new MerchantRiskOptions { PriorStrength = 0 });
        risk.Add("m_1", DateOnly.FromDateTime(Today.AddDays(-8).UtcDateTime), transactions: 4, frauds: 1);
        risk.Add("m_1", DateOnly.FromDateTime(Today.AddDays(-7).UtcDateTime), transactions: 3, frauds: 3); // no hours given
        risk.Add("m_1", Today.AddDays(-7).AddHours(5), transactions: 1, frauds: 0);                         // given by the hour

        var values = Read(risk, At("m_1", Today.AddHours(23)));

        Assert.Equal(Math.Log(1 + 5), values[Count1d], 5);
        Assert.Equal(1 / 5.0, values[Risk1d], 5);
    }

    [Fact]
    public void The_7_and_30_day_windows_cover_the_days_before_the_delay_and_no_others()
    {
        var risk = new MerchantRisk(new MerchantRiskOptions { PriorStrength = 0 });
        Record(risk, "m_1", Today.AddDays(-14).AddHours(12), 2, 1);  // oldest day of the 7-day window (d−8 … d−14)
        Record(risk, "m_1", Today.AddDays(-15).AddHours(12), 3, 0);  // just outside it, inside 30 days
        Record(risk, "m_1", Today.AddDays(-37).AddHours(12), 5, 5);  // oldest day of the 30-day window (d−8 … d−37)
        Record(risk, "m_1", Today.AddDays(-38).AddHours(12), 7, 7);  // outside every window

        var values = Read(risk, At("m_1", Today.AddHours(18)));

        Assert.Equal(0, values[Count1d]);
        Assert.Equal(0, values[Risk1d]);
        Assert.Equal(Math.Log(1 + 2), values[Count7d], 5);
        Assert.Equal(0.5, values[Risk7d], 5);
        Assert.Equal(Math.Log(1 + 10), values[Count30d], 5);
        Assert.Equal(6 / 10.0, values[Risk30d], 5);
    }

    [Fact]
    public void A_merchant_with_little_history_reads_close_to_every_merchants_share_and_an_unknown_one_exactly_that()
    {
        var risk = new MerchantRisk(new MerchantRiskOptions { PriorStrength = 10 });
        var day = Today.AddDays(-10);
        Record(risk, "m_busy", day, 95, 3);
        Record(risk, "m_new", day, 5, 2);
        double prior = 5 / 100.0;

        var fresh = Read(risk, At("m_new", Today));
        var unknown = Read(risk, At("m_never_seen", Today));
        var without = Read(risk, Purchase with { MerchantId = null, Ts = Today });

        Assert.Equal((2 + (10 * prior)) / (5 + 10), fresh[Risk7d], 5);
        Assert.Equal((3 + (10 * prior)) / (95 + 10), Read(risk, At("m_busy", Today))[Risk7d], 5);
        Assert.Equal(prior, unknown[Risk7d], 5);
        Assert.Equal(0, unknown[Count7d]);
        Assert.Equal(unknown, without);
        Assert.Equal(prior, unknown[Risk30d], 5);
        Assert.Equal(0, unknown[Risk1d]); // nothing at all on day d−8: no prior either
    }

    [Fact]
    public void With_nothing_counted_every_merchant_feature_reads_zero_whatever_the_vector_held()
    {
        var features = Enumerable.Repeat(7f, FeatureSchema.Count).ToArray();

        new MerchantRisk().WriteFeatures(At("m_1", Today), features);

        Assert.All(features[FeatureSchema.MerchantCount1dLog..(FeatureSchema.MerchantRisk30d + 1)], value => Assert.Equal(0f, value));
        Assert.Equal(7f, features[FeatureSchema.MerchantCount1dLog - 1]);
    }

    [Fact]
    public void Counts_added_per_day_read_the_same_as_transactions_recorded_one_by_one()
    {
        var recorded = new MerchantRisk();
        var added = new MerchantRisk();
        var random = new Random(7);
        for (int dayBack = 8; dayBack < 45; dayBack++)
        {
            foreach (var merchant in new[] { "m_1", "m_2", "m_3" })
            {
                int transactions = random.Next(0, 20), frauds = random.Next(0, transactions + 1);
                Record(recorded, merchant, Today.AddDays(-dayBack).AddMinutes(random.Next(0, 1440)), transactions, frauds);
                added.Add(merchant, DateOnly.FromDateTime(Today.AddDays(-dayBack).UtcDateTime), transactions, frauds);
            }
        }

        foreach (var merchant in new[] { "m_1", "m_2", "m_3", "m_4" })
        {
            Assert.Equal(Read(recorded, At(merchant, Today.AddHours(3))), Read(added, At(merchant, Today.AddHours(3))));
        }
    }

    [Fact]
    public void Reading_changes_nothing_so_transactions_of_a_day_can_be_read_in_any_order()
    {
        var risk = new MerchantRisk();
        Record(risk, "m_1", Today.AddDays(-9), 10, 4);
        var first = Read(risk, At("m_1", Today));

        risk.RecordTransaction(At("m_1", Today)); // today's own transactions are not visible today
        risk.RecordFraud("m_1", Today);
        Read(risk, At("m_2", Today));

        Assert.Equal(first, Read(risk, At("m_1", Today.AddHours(23))));
    }

    [Fact]
    public void Days_older_than_the_ring_are_dropped_and_counted()
    {
        var risk = new MerchantRisk();
        Record(risk, "m_1", Today, 1, 0);

        risk.RecordFraud("m_1", Today.AddDays(-MerchantRiskOptions.MaxDaysRemembered));

        Assert.Equal(1, risk.DroppedCounts);
    }

    [Fact]
    public void A_full_state_forgets_merchants_no_window_can_reach_to_make_room()
    {
        var risk = new MerchantRisk(new MerchantRiskOptions { MaxMerchants = 2 });
        Record(risk, "m_old", Today.AddDays(-40), 1, 1);
        Record(risk, "m_recent", Today.AddDays(-2), 1, 0);

        Record(risk, "m_new", Today, 1, 0);      // m_old's day 40 days back is beyond 7 + 30 days: it goes
        Record(risk, "m_newer", Today, 1, 0);    // nothing left to forget today: dropped

        Assert.Equal(2, risk.TrackedMerchants);
        Assert.Equal(1, risk.DroppedCounts);
        Assert.Equal(Math.Log(2), Read(risk, At("m_recent", Today.AddDays(9)))[Count7d], 5);
    }

    [Theory]
    [InlineData(-1)]
    [InlineData(34)]
    public void A_label_delay_the_ring_cannot_hold_is_refused(int days) =>
        Assert.Throws<ArgumentOutOfRangeException>(() => new MerchantRisk(new MerchantRiskOptions { LabelDelay = TimeSpan.FromDays(days) }));

    [Fact]
    public void A_label_delay_of_part_of_a_day_is_refused() =>
        Assert.Throws<ArgumentOutOfRangeException>(() => new MerchantRisk(new MerchantRiskOptions { LabelDelay = TimeSpan.FromHours(36) }));
}
