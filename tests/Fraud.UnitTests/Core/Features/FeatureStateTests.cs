using Fraud.Core;
using Fraud.Core.Features;
using static Fraud.Testing.SampleTransactions;

namespace Fraud.UnitTests.Core.Features;

public sealed class FeatureStateTests
{
    private readonly FeatureState _state = new();

    private float[] Update(Transaction transaction)
    {
        var features = new float[FeatureSchema.Count];
        _state.Update(transaction, features);
        return features;
    }

    private void Feed(params Transaction[] transactions)
    {
        foreach (var transaction in transactions)
        {
            Update(transaction);
        }
    }

    [Fact]
    public void Latest_activity_is_the_newest_event_time_folded_in_and_a_late_event_does_not_move_it_back()
    {
        Assert.Null(_state.LatestActivity(Purchase.UserId));

        Feed(At(TimeSpan.FromHours(2)), At(TimeSpan.FromHours(1)));

        Assert.Equal(Noon + TimeSpan.FromHours(2), _state.LatestActivity(Purchase.UserId));
    }

    [Fact]
    public void The_one_sided_amount_features_measure_only_how_far_the_amount_lies_above_the_users_habits()
    {
        // At one instant, so nothing decays: after 10 the user's mean is 10 and its deviation 0 (floored at 1).
        Feed(At(TimeSpan.Zero, 10m));
        var above = Update(At(TimeSpan.Zero, 40m));

        Assert.Equal(Math.Log(4), above[FeatureSchema.AmountExcessLog], 5);          // ln(40 / 10)
        Assert.Equal(30, above[FeatureSchema.AmountExcessZScore], 4);                // (40 − 10) / max(0, 10 % of 10)
        Assert.Equal(Math.Log(4), above[FeatureSchema.AmountExcess30dLog], 5);       // ln(40 / the 30-day mean 10)

        // After 10 and 40: mean 25, West's weighted deviation sqrt(450 / 2) = 15, 30-day mean 25; 5 lies below all three.
        var below = Update(At(TimeSpan.Zero, 5m));

        Assert.Equal(Math.Log(5.0 / 25), below[FeatureSchema.AmountLogRatio], 5);
        Assert.Equal((5 - 25) / 15.0, below[FeatureSchema.AmountZScore], 4);
        Assert.Equal(0, below[FeatureSchema.AmountExcessLog]);
        Assert.Equal(0, below[FeatureSchema.AmountExcessZScore]);
        Assert.Equal(0, below[FeatureSchema.AmountExcess30dLog]);

        // After 10, 40, 5: mean 55 / 3, 30-day mean 55 / 3; 110 is 6 times it.
        var again = Update(At(TimeSpan.Zero, 110m));
        Assert.Equal(Math.Log(6), again[FeatureSchema.AmountExcessLog], 5);
        Assert.Equal(Math.Log(6), again[FeatureSchema.AmountExcess30dLog], 5);
        Assert.Equal(again[FeatureSchema.AmountZScore], again[FeatureSchema.AmountExcessZScore]);
    }

    [Fact]
    public void A_first_transaction_has_no_history_to_compare_with()
    {
        var features = Update(Purchase);

        Assert.Equal(Math.Log(21), features[FeatureSchema.AmountLog], 5);
        Assert.Equal(0, features[FeatureSchema.AmountLogRatio]);
        Assert.Equal(0, features[FeatureSchema.AmountZScore]);
        Assert.Equal(Math.Log(1 + (30 * 24 * 3600)), features[FeatureSchema.SecondsSincePreviousLog], 4);
        Assert.Equal(0, features[FeatureSchema.Count24h]);
        Assert.Equal(0, features[FeatureSchema.DistanceKm]);
        Assert.Equal(0, features[FeatureSchema.NewCountry]);
        Assert.Equal(0, features[FeatureSchema.NewDevice]);
        Assert.Equal(0, features[FeatureSchema.NewMerchant]);
        Assert.Equal(0, features[FeatureSchema.AmountExcessLog]);
        Assert.Equal(0, features[FeatureSchema.AmountExcessZScore]);
        Assert.Equal(0, features[FeatureSchema.AmountExcess30dLog]);
    }

    [Fact]
    public void Amount_is_compared_with_the_mean_and_the_floored_deviation_of_earlier_amounts()
    {
        Feed(At(TimeSpan.Zero, 10m), At(TimeSpan.Zero, 10m), At(TimeSpan.Zero, 10m));

        var features = Update(At(TimeSpan.Zero, 20m));

        // Same time: no decay, mean 10, deviation 0 floored at 10 % of the mean.
        Assert.Equal(Math.Log(2), features[FeatureSchema.AmountLogRatio], 5);
        Assert.Equal(10, features[FeatureSchema.AmountZScore], 4);
    }

    [Fact]
    public void The_z_score_uses_the_deviation_of_earlier_amounts_when_it_exceeds_the_floor()
    {
        Feed(At(TimeSpan.Zero, 10m), At(TimeSpan.Zero, 30m));

        var features = Update(At(TimeSpan.Zero, 60m));

        // Mean 20, population deviation 10.
        Assert.Equal(4, features[FeatureSchema.AmountZScore], 4);
    }

    [Fact]
    public void Past_amounts_weigh_half_after_one_half_life()
    {
        Feed(At(TimeSpan.Zero, 100m), At(TimeSpan.FromDays(14), 200m));

        var features = Update(At(TimeSpan.FromDays(14), 100m));

        // Weights 0.5 and 1: mean (50 + 200) / 1.5.
        Assert.Equal(Math.Log(100 / (250 / 1.5)), features[FeatureSchema.AmountLogRatio], 4);
    }

    [Fact]
    public void Sliding_windows_count_and_sum_earlier_transactions_by_age()
    {
        Feed(
            At(TimeSpan.FromHours(-25), 1000m),
            At(TimeSpan.FromHours(-2), 300m),
            At(TimeSpan.FromMinutes(-30), 20m),
            At(TimeSpan.FromSeconds(-30), 5m));

        var features = Update(At(TimeSpan.Zero));

        Assert.Equal(1, features[FeatureSchema.Count1m]);
        Assert.Equal(Math.Log(1 + 5), features[FeatureSchema.AmountSum1mLog], 5);
        Assert.Equal(2, features[FeatureSchema.Count1h]);
        Assert.Equal(Math.Log(1 + 25), features[FeatureSchema.AmountSum1hLog], 5);
        Assert.Equal(3, features[FeatureSchema.Count24h]);
        Assert.Equal(Math.Log(1 + 325), features[FeatureSchema.AmountSum24hLog], 5);
    }

    [Fact]
    public void A_transaction_exactly_one_window_old_is_outside_the_window()
    {
        Feed(At(TimeSpan.FromHours(-1)));

        var features = Update(At(TimeSpan.Zero));

        Assert.Equal(0, features[FeatureSchema.Count1h]);
        Assert.Equal(1, features[FeatureSchema.Count24h]);
    }

    [Fact]
    public void Window_counts_saturate_at_the_remembered_transactions()
    {
        for (int i = 0; i < 50; i++)
        {
            Update(At(TimeSpan.FromSeconds(i)));
        }

        var features = Update(At(TimeSpan.FromSeconds(50)));

        Assert.Equal(UserHistory.RecentCapacity, features[FeatureSchema.Count1h]);
    }

    [Fact]
    public void Seconds_since_previous_is_logged_and_capped_at_thirty_days()
    {
        Feed(At(TimeSpan.Zero));
        Assert.Equal(Math.Log(1 + 90), Update(At(TimeSpan.FromSeconds(90)))[FeatureSchema.SecondsSincePreviousLog], 5);
        Assert.Equal(Math.Log(1 + (30 * 24 * 3600)), Update(At(TimeSpan.FromDays(45)))[FeatureSchema.SecondsSincePreviousLog], 4);
    }

    [Fact]
    public void A_late_transaction_counts_as_happening_at_the_latest_time_seen()
    {
        Feed(At(TimeSpan.FromMinutes(10)));

        var features = Update(At(TimeSpan.Zero));

        Assert.Equal(0, features[FeatureSchema.SecondsSincePreviousLog]);
        Assert.Equal(1, features[FeatureSchema.Count1m]);
    }

    [Fact]
    public void Distance_and_speed_come_from_the_previous_located_transaction()
    {
        Feed(At(TimeSpan.Zero));
        Feed(At(TimeSpan.FromMinutes(30)) with { Lat = null, Lon = null });

        var paris = At(TimeSpan.FromHours(2)) with { Lat = 48.8566, Lon = 2.3522, Location = "FR" };
        var features = Update(paris);

        Assert.Equal(1052.89, features[FeatureSchema.DistanceKm], 1);
        Assert.Equal(1052.89 / 2, features[FeatureSchema.SpeedKmh], 1);
    }

    [Fact]
    public void Travel_time_is_floored_at_one_minute()
    {
        Feed(At(TimeSpan.Zero));

        var features = Update(At(TimeSpan.FromSeconds(5)) with { Lat = 40.4168 + 0.1, Lon = -3.7038 });

        Assert.Equal(11.12, features[FeatureSchema.DistanceKm], 1);
        Assert.Equal(11.12 * 60, features[FeatureSchema.SpeedKmh], 0);
    }

    [Fact]
    public void A_transaction_without_coordinates_has_no_distance()
    {
        Feed(At(TimeSpan.Zero));

        var features = Update(At(TimeSpan.FromHours(1)) with { Lat = null, Lon = null });

        Assert.Equal(0, features[FeatureSchema.DistanceKm]);
        Assert.Equal(0, features[FeatureSchema.SpeedKmh]);
    }

    [Fact]
    public void Country_device_and_merchant_are_new_only_when_the_user_has_history_without_them()
    {
        Feed(Purchase);

        var same = Update(At(TimeSpan.FromHours(1)));
        var different = Update(At(TimeSpan.FromHours(2)) with { Location = "FR", DeviceId = "d_phone", MerchantId = "m_shop" });
        var unknown = Update(At(TimeSpan.FromHours(3)) with { DeviceId = null, MerchantId = null });

        Assert.Equal([0f, 0f, 0f], NewFlags(same));
        Assert.Equal([1f, 1f, 1f], NewFlags(different));
        Assert.Equal([0f, 0f, 0f], NewFlags(unknown));
    }

    [Fact]
    public void Only_the_eight_most_recently_used_devices_are_remembered()
    {
        for (int device = 0; device < 9; device++)
        {
            Update(At(TimeSpan.FromMinutes(device)) with { DeviceId = $"d_{device}" });
        }

        Assert.Equal(0, Update(At(TimeSpan.FromMinutes(10)) with { DeviceId = "d_8" })[FeatureSchema.NewDevice]);
        Assert.Equal(1, Update(At(TimeSpan.FromMinutes(11)) with { DeviceId = "d_0" })[FeatureSchema.NewDevice]);
    }

    [Fact]
    public void Using_a_remembered_device_again_keeps_it_remembered()
    {
        Update(At(TimeSpan.Zero) with { DeviceId = "d_home" });
        for (int device = 0; device < 10; device++)
        {
            Update(At(TimeSpan.FromMinutes((2 * device) + 1)) with { DeviceId = $"d_{device}" });
            Update(At(TimeSpan.FromMinutes((2 * device) + 2)) with { DeviceId = "d_home" });
        }

        Assert.Equal(0, Update(At(TimeSpan.FromHours(1)) with { DeviceId = "d_home" })[FeatureSchema.NewDevice]);
    }

    [Fact]
    public void Calendar_channel_and_merchant_category_are_encoded_as_numbers()
    {
        var saturdayNight = Purchase with
        {
            Ts = new DateTimeOffset(2025, 9, 13, 3, 30, 0, TimeSpan.Zero),
            Channel = Channel.Ecom,
            Mcc = 7995,
        };

        var features = Update(saturdayNight);

        Assert.Equal(3.5f, features[FeatureSchema.HourOfDay]);
        Assert.Equal(1, features[FeatureSchema.IsWeekend]);
        Assert.Equal(1, features[FeatureSchema.IsEcom]);
        Assert.Equal(0, features[FeatureSchema.IsAtm]);
        Assert.Equal(MerchantCategoryRisk.High, features[FeatureSchema.MccRiskGroup]);
    }

    [Fact]
    public void Missing_optional_fields_give_neutral_values()
    {
        var bare = new Transaction("tx_bare", 9, 15m, "JPY", "JP", Noon);

        var features = Update(bare);

        Assert.Equal(0, features[FeatureSchema.IsEcom]);
        Assert.Equal(0, features[FeatureSchema.IsAtm]);
        Assert.Equal(MerchantCategoryRisk.Medium, features[FeatureSchema.MccRiskGroup]);
        Assert.All(features, value => Assert.True(float.IsFinite(value)));
    }

    [Fact]
    public void Users_do_not_see_each_other()
    {
        Feed(At(TimeSpan.Zero, 5000m) with { UserId = 2 });

        var features = Update(At(TimeSpan.FromSeconds(1)));

        Assert.Equal(0, features[FeatureSchema.Count1m]);
        Assert.Equal(0, features[FeatureSchema.AmountZScore]);
    }

    [Fact]
    public void Features_are_the_same_whichever_way_they_are_computed()
    {
        var history = new[] { At(TimeSpan.Zero, 12m), At(TimeSpan.FromMinutes(3), 40m), At(TimeSpan.FromMinutes(9), 7m) };
        var stepwise = new FeatureState();
        var buffer = new float[FeatureSchema.Count];
        foreach (var transaction in history)
        {
            var user = stepwise.Track(transaction);
            user.WriteFeatures(transaction, buffer);
            user.Append(transaction);
        }

        Feed(history);
        var next = At(TimeSpan.FromMinutes(10), 90m);
        stepwise.Track(next).WriteFeatures(next, buffer);

        Assert.Equal(buffer, Update(next));
    }

    [Fact]
    public void A_too_short_buffer_is_refused()
    {
        Assert.Throws<ArgumentException>(() => _state.Update(Purchase, new float[FeatureSchema.Count - 1]));
    }

    private static float[] NewFlags(float[] features) =>
        [features[FeatureSchema.NewCountry], features[FeatureSchema.NewDevice], features[FeatureSchema.NewMerchant]];
}
