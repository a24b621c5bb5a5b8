using Fraud.Core.Features;

namespace Fraud.UnitTests.Core.Features;

public sealed class FeatureSchemaTests
{
    [Fact]
    public void Every_feature_has_one_unique_snake_case_name()
    {
        Assert.Equal(FeatureSchema.Count, FeatureSchema.Names.Count);
        Assert.Equal(FeatureSchema.Names.Count, FeatureSchema.Names.Distinct().Count());
        Assert.All(FeatureSchema.Names, name => Assert.Matches("^[a-z][a-z0-9_]*$", name));
    }

    [Fact]
    public void Index_constants_point_at_their_names()
    {
        Assert.Equal("amount_log", FeatureSchema.Names[FeatureSchema.AmountLog]);
        Assert.Equal("speed_kmh", FeatureSchema.Names[FeatureSchema.SpeedKmh]);
        Assert.Equal("mcc_risk_group", FeatureSchema.Names[FeatureSchema.MccRiskGroup]);
        Assert.Equal("count_7d", FeatureSchema.Names[FeatureSchema.Count7d]);
        Assert.Equal("amount_log_ratio_1d", FeatureSchema.Names[FeatureSchema.AmountLogRatio1d]);
        Assert.Equal("amount_mean_30d_log", FeatureSchema.Names[FeatureSchema.AmountMean30dLog]);
        Assert.Equal("merchant_risk_30d", FeatureSchema.Names[FeatureSchema.MerchantRisk30d]);
        Assert.Equal("amount_excess_log", FeatureSchema.Names[FeatureSchema.AmountExcessLog]);
        Assert.Equal("amount_excess_zscore", FeatureSchema.Names[FeatureSchema.AmountExcessZScore]);
        Assert.Equal("amount_excess_30d_log", FeatureSchema.Names[FeatureSchema.AmountExcess30dLog]);
    }

    [Fact]
    public void The_first_twenty_features_keep_their_places_for_older_models_and_stored_vectors()
    {
        string[] firstTwenty =
        [
            "amount_log", "amount_log_ratio", "amount_zscore", "seconds_since_previous_log", "count_1m", "amount_sum_1m_log",
            "count_1h", "amount_sum_1h_log", "count_24h", "amount_sum_24h_log", "distance_km", "speed_kmh", "new_country",
            "new_device", "new_merchant", "hour_of_day", "is_weekend", "is_ecom", "is_atm", "mcc_risk_group",
        ];

        Assert.Equal(firstTwenty, FeatureSchema.Names.Take(20));
    }

    [Fact]
    public void Names_map_to_their_indices_in_any_order()
    {
        Assert.Equal([FeatureSchema.SpeedKmh, FeatureSchema.AmountLog], FeatureSchema.IndicesOf(["speed_kmh", "amount_log"]));
    }

    [Fact]
    public void A_name_outside_the_schema_is_refused_with_the_schema()
    {
        var error = Assert.Throws<ArgumentException>(() => FeatureSchema.IndicesOf(["amount_log", "merchant_fraud_rate"]));

        Assert.Contains("'merchant_fraud_rate' is not a feature of this build", error.Message);
    }

    [Fact]
    public void The_forest_leaves_out_the_context_features_by_default()
    {
        Assert.DoesNotContain("is_atm", FeatureSchema.ForestDefaults);
        Assert.DoesNotContain("hour_of_day", FeatureSchema.ForestDefaults);
        Assert.Contains("amount_zscore", FeatureSchema.ForestDefaults);
        Assert.Contains("amount_log_ratio_30d", FeatureSchema.ForestDefaults);
        Assert.DoesNotContain("amount_excess_log", FeatureSchema.ForestDefaults);
        Assert.Contains("amount_excess_zscore", FeatureSchema.ForestDefaults);
        Assert.Contains("amount_excess_30d_log", FeatureSchema.ForestDefaults);
        Assert.DoesNotContain("merchant_risk_7d", FeatureSchema.ForestDefaults);
        Assert.Equal(FeatureSchema.Count - 5 - 6 - 1, FeatureSchema.ForestDefaults.Count);
    }

    [Theory]
    [InlineData(5411, MerchantCategoryRisk.Low)]
    [InlineData(7995, MerchantCategoryRisk.High)]
    [InlineData(6051, MerchantCategoryRisk.High)]
    [InlineData(5999, MerchantCategoryRisk.Medium)]
    [InlineData(null, MerchantCategoryRisk.Medium)]
    public void Merchant_categories_fall_into_risk_groups(int? mcc, int group) =>
        Assert.Equal(group, MerchantCategoryRisk.GroupOf(mcc));

    [Theory]
    [InlineData(40.4168, -3.7038, 48.8566, 2.3522, 1052.89)]
    [InlineData(0, 0, 0, 1, 111.195)]
    [InlineData(0, 0, 0, 180, 20015.11)]
    [InlineData(10, 20, 10, 20, 0)]
    public void Haversine_distances_match_known_values(double lat1, double lon1, double lat2, double lon2, double km) =>
        Assert.Equal(km, GeoDistance.HaversineKm(lat1, lon1, lat2, lon2), 1);
}
