using Fraud.Core;
using Fraud.Core.Features;
using Fraud.Core.Rules;
using static Fraud.Testing.SampleTransactions;

namespace Fraud.UnitTests.Core.Rules;

/// <summary>
/// The amount-based rules with amounts relative to the user's decayed mean. Histories whose transactions share one
/// instant decay nothing, so the mean is the plain running mean and every boundary below is exact in doubles.
/// </summary>
public sealed class RelativeAmountRuleTests
{
    private static (bool Fired, double Observed) Check(Rule rule, Transaction transaction, params Transaction[] history)
    {
        var state = new FeatureState();
        var features = new float[FeatureSchema.Count];
        foreach (var earlier in history)
        {
            state.Update(earlier, features);
        }

        var user = state.Track(transaction);
        user.WriteFeatures(transaction, features);
        bool fired = rule.Matches(new RuleContext(transaction, features, user), out double observed);
        return (fired, observed);
    }

    private static Transaction[] Same(int count, decimal amount, TimeSpan at = default) =>
        Enumerable.Range(0, count).Select(_ => At(at, amount)).ToArray();

    /// <summary>Three payments of 100 (mean 100) in Spain an hour before.</summary>
    private static readonly Transaction[] Hundreds = Same(3, 100m, TimeSpan.FromHours(-1));

    private static Transaction InFrance(decimal amount) => At(TimeSpan.Zero, amount) with { Location = "FR" };

    private static readonly NewCountryHighAmountRule NewCountry = new("new_country_high_amount", 0.4, minAmount: 0, minHistory: 3, minRatio: 3);

    [Theory]
    [InlineData("300", true)]
    [InlineData("299.99", false)]
    public void New_country_with_a_ratio_fires_from_that_many_times_the_users_mean(string amount, bool fires)
    {
        var result = Check(NewCountry, InFrance(decimal.Parse(amount, System.Globalization.CultureInfo.InvariantCulture)), Hundreds);

        Assert.Equal(fires, result.Fired);
        Assert.Equal(double.Parse(amount, System.Globalization.CultureInfo.InvariantCulture) / 100, result.Observed, 12);
    }

    [Fact]
    public void New_country_with_a_ratio_fires_alike_in_every_currency()
    {
        var yen = Same(3, 15_000m, TimeSpan.FromHours(-1));

        Assert.Equal((true, 3), Check(NewCountry, InFrance(45_000m), yen));
        Assert.False(Check(NewCountry, InFrance(44_999m), yen).Fired);
    }

    [Fact]
    public void New_country_with_a_ratio_needs_the_minimum_history()
    {
        Assert.False(Check(NewCountry, InFrance(10_000m), Hundreds[..2]).Fired);
    }

    [Fact]
    public void A_minimum_amount_beside_a_ratio_must_hold_too()
    {
        var rule = new NewCountryHighAmountRule("new_country_high_amount", 0.4, minAmount: 500, minHistory: 3, minRatio: 3);

        Assert.False(Check(rule, InFrance(400m), Hundreds).Fired);
        Assert.Equal((true, 5), Check(rule, InFrance(500m), Hundreds));
    }

    private static readonly NightHighAmountRule Night = new("night_high_amount", 0.25, 0, 5, minAmount: 0, minRatio: 10, minHistory: 1);

    private static Transaction AtTwoInTheMorning(decimal amount) => Purchase with { Ts = Noon.AddHours(-10), Amount = amount };

    [Theory]
    [InlineData("1000", true)]
    [InlineData("999.99", false)]
    public void Night_with_a_ratio_fires_from_that_many_times_the_users_mean(string amount, bool fires)
    {
        var history = Same(3, 100m, TimeSpan.FromHours(-13)); // 23:00 the evening before

        Assert.Equal(fires, Check(Night, AtTwoInTheMorning(decimal.Parse(amount, System.Globalization.CultureInfo.InvariantCulture)), history).Fired);
    }

    [Fact]
    public void Night_with_a_ratio_does_not_fire_for_a_user_without_history()
    {
        Assert.False(Check(Night, AtTwoInTheMorning(1_000_000m)).Fired);
        Assert.False(Check(new NightHighAmountRule("night", 0.25, 0, 5, minAmount: 0, minRatio: 10, minHistory: 4), AtTwoInTheMorning(1_000_000m), Hundreds).Fired);
    }

    private static readonly HighRiskMccRule Mcc = new("high_risk_mcc", 0.15, MerchantCategoryRisk.HighRiskCodes, minAmount: 0, minRatio: 10, minHistory: 1);

    [Theory]
    [InlineData(7995, "1000", true)]
    [InlineData(7995, "999.99", false)]
    [InlineData(5411, "1000", false)]
    public void High_risk_mcc_with_a_ratio_needs_the_category_and_that_many_times_the_users_mean(int mcc, string amount, bool fires)
    {
        var transaction = At(TimeSpan.Zero, decimal.Parse(amount, System.Globalization.CultureInfo.InvariantCulture)) with { Mcc = mcc };

        Assert.Equal(fires, Check(Mcc, transaction, Hundreds).Fired);
    }

    [Fact]
    public void High_risk_mcc_with_a_ratio_does_not_fire_for_a_user_without_history()
    {
        Assert.False(Check(Mcc, At(TimeSpan.Zero, 1_000_000m) with { Mcc = 7995 }).Fired);
    }

    // 100, 100, 100 then 10, 10 at one instant: running means 100, 77.5, 64; 0.25 × 64 = 16.
    private static readonly Transaction[] TwoTinyAfterHundreds = [.. Same(3, 100m), .. Same(2, 10m)];

    private static readonly VelocityRule TinyBurst = new("tiny_burst", 0.5, minCount: 3, TimeSpan.FromMinutes(10), maxRatio: 0.25, minHistory: 5);

    [Theory]
    [InlineData("16", true)]
    [InlineData("16.01", false)]
    public void Velocity_with_a_ratio_counts_amounts_up_to_that_share_of_the_users_mean(string amount, bool fires)
    {
        var result = Check(TinyBurst, At(TimeSpan.Zero, decimal.Parse(amount, System.Globalization.CultureInfo.InvariantCulture)), TwoTinyAfterHundreds);

        Assert.Equal(fires, result.Fired);
        Assert.Equal(fires ? 3 : 0, result.Observed);
    }

    [Fact]
    public void Velocity_with_a_ratio_needs_the_minimum_history()
    {
        // Four earlier transactions, two of them tiny: a burst of three, but a mean from too little history.
        Assert.False(Check(TinyBurst, At(TimeSpan.Zero, 10m), TwoTinyAfterHundreds[1..]).Fired);
    }

    [Fact]
    public void Velocity_with_a_ratio_and_an_amount_needs_both()
    {
        var rule = new VelocityRule("tiny_burst", 0.5, minCount: 3, TimeSpan.FromMinutes(10), maxAmount: 9, maxRatio: 0.25, minHistory: 5);

        Assert.False(Check(rule, At(TimeSpan.Zero, 8m), TwoTinyAfterHundreds).Fired); // the earlier 10s are above 9
    }

    // 100 then 1, 1, 1 at one instant: running means 100, 50.5, 34, 25.75; 4 × 25.75 = 103.
    private static readonly Transaction[] ThreeTestsAfterAHundred = [At(TimeSpan.Zero, 100m), .. Same(3, 1m)];

    private static CardTestingRule CardTesting(double smallMaxRatio) => new(
        "card_testing", 0.7, minSmallCount: 3, smallMaxAmount: double.PositiveInfinity, largeMinAmount: 0, TimeSpan.FromHours(1),
        smallMaxRatio: smallMaxRatio, largeMinRatio: 4, minHistory: 4);

    [Theory]
    [InlineData("103", true)]
    [InlineData("102.99", false)]
    public void Card_testing_with_ratios_needs_a_cash_out_that_many_times_the_users_mean(string amount, bool fires)
    {
        var result = Check(CardTesting(0.1), At(TimeSpan.Zero, decimal.Parse(amount, System.Globalization.CultureInfo.InvariantCulture)), ThreeTestsAfterAHundred);

        Assert.Equal(fires, result.Fired);
    }

    [Fact]
    public void Card_testing_with_ratios_counts_as_tiny_only_amounts_up_to_that_share_of_the_users_mean()
    {
        Assert.Equal((true, 3), Check(CardTesting(0.05), At(TimeSpan.Zero, 200m), ThreeTestsAfterAHundred)); // limit 1.2875
        Assert.False(Check(CardTesting(0.03), At(TimeSpan.Zero, 200m), ThreeTestsAfterAHundred).Fired); // limit 0.7725
    }

    [Fact]
    public void Card_testing_with_ratios_needs_the_minimum_history()
    {
        // Three earlier transactions, all 1: tiny and a huge cash-out against that mean (1 and 4), but too little history.
        Assert.False(Check(CardTesting(1), At(TimeSpan.Zero, 10_000m), ThreeTestsAfterAHundred[1..]).Fired);
    }

    [Fact]
    public void Reasons_say_the_ratio()
    {
        Assert.Equal(
            "new_country_high_amount: amount 4.2 times the user's mean (>= 3 times the user's mean) in a country new for the user",
            NewCountry.Describe(4.2));
        Assert.Equal(
            "night_high_amount: amount 12.5 times the user's mean (>= 10 times the user's mean) between 00:00 and 05:00 UTC",
            Night.Describe(12.5));
        Assert.Equal(
            "tiny_burst: 3 transactions of at most 0.25 times the user's mean within 10 min (>= 3)",
            TinyBurst.Describe(3));
        Assert.Equal(
            "card_testing: 3 amounts <= 0.1 times the user's mean within 1 h before an amount >= 4 times the user's mean",
            CardTesting(0.1).Describe(3));
        Assert.Equal(
            "new_country_high_amount: amount 5 times the user's mean (>= 3 times the user's mean and 500.00) in a country new for the user",
            new NewCountryHighAmountRule("new_country_high_amount", 0.4, minAmount: 500, minHistory: 3, minRatio: 3).Describe(5));
    }
}
