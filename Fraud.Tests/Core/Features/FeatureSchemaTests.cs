using Fraud.Core.Features;

namespace Fraud.Tests.Core.Features;

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
    }

    [Fact]
    public void A_schema_matches_only_the_same_names_in_the_same_order()
    {
        Assert.True(FeatureSchema.Matches(FeatureSchema.Names.ToArray()));
        Assert.False(FeatureSchema.Matches(FeatureSchema.Names.Reverse().ToArray()));
        Assert.False(FeatureSchema.Matches(FeatureSchema.Names.Take(5).ToArray()));
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
