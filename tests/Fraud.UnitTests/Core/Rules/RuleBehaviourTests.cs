using Fraud.Core;
using Fraud.Core.Features;
using Fraud.Core.Rules;
using static Fraud.Testing.SampleTransactions;

namespace Fraud.UnitTests.Core.Rules;

public sealed class RuleBehaviourTests
{
    /// <summary>Feeds <paramref name="history"/> through a fresh feature state, then evaluates <paramref name="ruleSet"/> on <paramref name="transaction"/>.</summary>
    private static RuleHit[] Hits(RuleSet ruleSet, Transaction transaction, params Transaction[] history)
    {
        var state = new FeatureState();
        var features = new float[FeatureSchema.Count];
        foreach (var earlier in history)
        {
            state.Update(earlier, features);
        }

        var user = state.Track(transaction);
        user.WriteFeatures(transaction, features);
        var hits = new RuleHit[ruleSet.Rules.Count];
        int count = ruleSet.Evaluate(new RuleContext(transaction, features, user), hits);
        return hits[..count];
    }

    private static (bool Fired, double Observed) Check(Rule rule, Transaction transaction, params Transaction[] history) =>
        Hits(new RuleSet("test", [rule]), transaction, history) is [var hit] ? (true, hit.Observed) : (false, double.NaN);

    private static Transaction[] Repeat(int count, Func<int, Transaction> make) => Enumerable.Range(0, count).Select(make).ToArray();

    private static readonly VelocityRule Velocity = new("velocity_10m", 0.35, minCount: 5, TimeSpan.FromMinutes(10));

    [Fact]
    public void Velocity_fires_when_this_transaction_makes_the_count()
    {
        var result = Check(Velocity, At(TimeSpan.Zero), Repeat(4, i => At(TimeSpan.FromMinutes(-9 + i))));

        Assert.Equal((true, 5), result);
    }

    [Fact]
    public void Velocity_ignores_transactions_outside_its_window()
    {
        var history = Repeat(4, i => At(TimeSpan.FromMinutes(-9 + i))).Prepend(At(TimeSpan.FromMinutes(-10))).ToArray();

        Assert.False(Check(Velocity, At(TimeSpan.FromMinutes(1)), history).Fired);
    }

    [Fact]
    public void Velocity_with_a_maximum_amount_counts_only_small_transactions()
    {
        var tinyBurst = new VelocityRule("tiny_burst", 0.4, minCount: 3, TimeSpan.FromMinutes(10), maxAmount: 3);
        var history = new[] { At(TimeSpan.FromMinutes(-3), 1m), At(TimeSpan.FromMinutes(-2), 80m), At(TimeSpan.FromMinutes(-1), 2.5m) };

        Assert.Equal((true, 3), Check(tinyBurst, At(TimeSpan.Zero, 0.99m), history));
        Assert.False(Check(tinyBurst, At(TimeSpan.Zero, 40m), history).Fired);
        Assert.Equal(
            "tiny_burst: 3 transactions of at most 3.00 within 10 min (>= 3)",
            tinyBurst.Describe(3));
    }

    private static readonly AmountZScoreRule ZScore = new("amount_vs_user_history", 0.5, minZScore: 4, minHistory: 5, minAmount: 100);

    [Fact]
    public void Amount_z_score_fires_on_an_outsized_amount_for_a_user_with_enough_history()
    {
        var result = Check(ZScore, At(TimeSpan.FromHours(1), 200m), Repeat(5, i => At(TimeSpan.FromMinutes(i))));

        Assert.True(result.Fired);
        Assert.Equal(90, result.Observed, 3); // (200 − 20) / (10 % of 20)
    }

    [Fact]
    public void Amount_z_score_needs_the_minimum_history()
    {
        Assert.False(Check(ZScore, At(TimeSpan.FromHours(1), 200m), Repeat(4, i => At(TimeSpan.FromMinutes(i)))).Fired);
    }

    [Fact]
    public void Amount_z_score_ignores_small_amounts_however_unusual()
    {
        Assert.False(Check(ZScore, At(TimeSpan.FromHours(1), 90m), Repeat(5, i => At(TimeSpan.FromMinutes(i), 2m))).Fired);
    }

    [Fact]
    public void Amount_z_score_with_a_minimum_ratio_needs_the_amount_that_many_times_the_users_mean()
    {
        // Five purchases of 20 at nearly the same time: decayed mean 20, deviation 0, floored at 2 (10 % of the mean).
        var relative = new AmountZScoreRule("amount_vs_user_history", 0.15, minZScore: 4, minHistory: 5, minAmount: 0, minRatio: 3);
        var history = Repeat(5, i => At(TimeSpan.FromMinutes(i)));

        Assert.Equal((true, 20.25), Check(relative, At(TimeSpan.FromHours(1), 60.5m), history)); // 3.025 × the mean; z = (60.5 − 20) / 2
        Assert.False(Check(relative, At(TimeSpan.FromHours(1), 59m), history).Fired);       // z = 19.5, but 2.95 × the mean
        Assert.False(Check(relative, At(TimeSpan.FromHours(1), 28m), history).Fired);       // z = 4 (the floor alone), 1.4 × the mean
    }

    [Fact]
    public void Amount_z_score_with_a_minimum_ratio_fires_alike_in_every_currency()
    {
        var relative = new AmountZScoreRule("amount_vs_user_history", 0.15, minZScore: 4, minHistory: 5, minAmount: 0, minRatio: 3);
        Transaction InYen(Transaction transaction) => transaction with { Amount = transaction.Amount * 150, Currency = "JPY" };
        var history = Repeat(5, i => At(TimeSpan.FromMinutes(i)));

        Assert.True(Check(relative, InYen(At(TimeSpan.FromHours(1), 61m)), history.Select(InYen).ToArray()).Fired);
        Assert.False(Check(relative, InYen(At(TimeSpan.FromHours(1), 59m)), history.Select(InYen).ToArray()).Fired);
    }

    private static readonly ImpossibleTravelRule Travel = new("impossible_travel", 0.6, maxSpeedKmh: 900, minDistanceKm: 50);

    [Fact]
    public void Impossible_travel_fires_when_the_implied_speed_is_too_high()
    {
        var newYork = At(TimeSpan.FromHours(1)) with { Location = "US", Lat = 40.7128, Lon = -74.0060 };

        var result = Check(Travel, newYork, Purchase);

        Assert.True(result.Fired);
        Assert.Equal(5768, result.Observed, 0);
    }

    [Fact]
    public void Impossible_travel_allows_a_plausible_journey()
    {
        var paris = At(TimeSpan.FromHours(3)) with { Location = "FR", Lat = 48.8566, Lon = 2.3522 };

        Assert.False(Check(Travel, paris, Purchase).Fired);
    }

    [Fact]
    public void Impossible_travel_ignores_short_hops_however_fast()
    {
        var nearby = At(TimeSpan.FromSeconds(10)) with { Lat = 40.4168 + 0.2 }; // 22 km in the one-minute floor: 1334 km/h

        Assert.False(Check(Travel, nearby, Purchase).Fired);
    }

    private static readonly CardTestingRule CardTesting = new("card_testing", 0.7, minSmallCount: 3, smallMaxAmount: 2, largeMinAmount: 100, TimeSpan.FromHours(1));

    [Fact]
    public void Card_testing_fires_on_a_large_amount_after_enough_tiny_ones()
    {
        var result = Check(CardTesting, At(TimeSpan.Zero, 450m), Repeat(3, i => At(TimeSpan.FromMinutes(-30 + i), 1m)));

        Assert.Equal((true, 3), result);
    }

    [Theory]
    [InlineData(2, 450, 30)]
    [InlineData(3, 99, 30)]
    [InlineData(3, 450, 61)]
    public void Card_testing_needs_enough_tiny_amounts_a_large_one_and_the_window(int tiny, double large, int minutesAgo)
    {
        var history = Repeat(tiny, i => At(TimeSpan.FromMinutes(-minutesAgo - i), 2m));

        Assert.False(Check(CardTesting, At(TimeSpan.Zero, (decimal)large), history).Fired);
    }

    private static readonly NewCountryHighAmountRule NewCountry = new("new_country_high_amount", 0.4, minAmount: 500, minHistory: 3);

    [Theory]
    [InlineData("FR", 600, 3, true)]
    [InlineData("ES", 600, 3, false)]
    [InlineData("FR", 100, 3, false)]
    [InlineData("FR", 600, 2, false)]
    public void New_country_high_amount_needs_all_three(string country, double amount, int history, bool fires)
    {
        var transaction = At(TimeSpan.FromDays(1), (decimal)amount) with { Location = country };

        Assert.Equal(fires, Check(NewCountry, transaction, Repeat(history, i => At(TimeSpan.FromHours(i)))).Fired);
    }

    [Theory]
    [InlineData(0, 5, 2, true)]
    [InlineData(0, 5, 12, false)]
    [InlineData(0, 5, 5, false)]
    [InlineData(23, 5, 23.5, true)]
    [InlineData(23, 5, 1, true)]
    [InlineData(23, 5, 22, false)]
    public void Night_high_amount_fires_inside_its_hours_wrapping_past_midnight(double start, double end, double hour, bool fires)
    {
        var rule = new NightHighAmountRule("night_high_amount", 0.25, start, end, minAmount: 500);
        var transaction = Purchase with { Ts = Noon.Date + TimeSpan.FromHours(hour), Amount = 600m };

        Assert.Equal(fires, Check(rule, transaction).Fired);
    }

    [Fact]
    public void Night_high_amount_ignores_small_amounts()
    {
        var rule = new NightHighAmountRule("night_high_amount", 0.25, 0, 5, minAmount: 500);

        Assert.False(Check(rule, Purchase with { Ts = Noon.Date.AddHours(2) }).Fired);
    }

    [Theory]
    [InlineData(7995, true)]
    [InlineData(5411, false)]
    [InlineData(null, false)]
    public void High_risk_mcc_fires_on_listed_categories(int? mcc, bool fires)
    {
        var rule = new HighRiskMccRule("high_risk_mcc", 0.15, MerchantCategoryRisk.HighRiskCodes, minAmount: 0);

        Assert.Equal(fires, Check(rule, Purchase with { Mcc = mcc }).Fired);
    }

    [Fact]
    public void High_risk_mcc_can_use_its_own_list()
    {
        var rule = new HighRiskMccRule("custom_mcc", 0.15, new HashSet<int> { 5411 }, minAmount: 0);

        Assert.Equal((true, 5411), Check(rule, Purchase));
    }

    [Theory]
    [InlineData("999.99", false)]
    [InlineData("1000.00", true)]
    [InlineData("25000", true)]
    public void Amount_above_fires_from_its_limit_up(string amount, bool fires)
    {
        var rule = new AmountAboveRule("review_limit", 1.0, minAmount: 1000);

        Assert.Equal(fires, Check(rule, Purchase with { Amount = decimal.Parse(amount, System.Globalization.CultureInfo.InvariantCulture) }).Fired);
        Assert.Equal("review_limit: amount 1500.00 >= 1000.00", rule.Describe(1500));
    }

    [Fact]
    public void A_rule_set_reports_its_hits_in_rule_order()
    {
        var ruleSet = new RuleSet("v1", [Velocity, new HighRiskMccRule("high_risk_mcc", 0.15, MerchantCategoryRisk.HighRiskCodes, 0), CardTesting]);
        var transaction = At(TimeSpan.Zero, 450m) with { Mcc = 6051 };
        var history = Repeat(4, i => At(TimeSpan.FromMinutes(-4 + i), 1m));

        var hits = Hits(ruleSet, transaction, history);

        Assert.Equal(
            [
                "velocity_10m: 5 transactions within 10 min (>= 5)",
                "high_risk_mcc: merchant category 6051 is high risk",
                "card_testing: 4 amounts <= 2.00 within 1 h before an amount >= 100.00",
            ],
            hits.Select(hit => hit.Reason));
    }

    [Fact]
    public void Reasons_are_readable()
    {
        Assert.Equal(
            "amount_vs_user_history: amount 7.31 standard deviations above the user's mean (>= 4)",
            ZScore.Describe(7.314));
        Assert.Equal(
            "impossible_travel: implied speed 5768 km/h from the previous located transaction (> 900 km/h)",
            Travel.Describe(5767.8));
        Assert.Equal(
            "new_country_high_amount: amount 1881.22 (>= 500.00) in a country new for the user",
            NewCountry.Describe(1881.22));
        Assert.Equal(
            "night_high_amount: amount 600.00 (>= 500.00) between 23:00 and 05:30 UTC",
            new NightHighAmountRule("night_high_amount", 0.25, 23, 5.5, 500).Describe(600));
    }

    [Fact]
    public void Rule_names_must_be_unique_within_a_set()
    {
        Assert.Throws<ArgumentException>(() => new RuleSet("v1", [Velocity, Velocity]));
    }

    [Fact]
    public void A_hit_buffer_too_short_for_every_rule_is_refused()
    {
        var ruleSet = new RuleSet("v1", [Velocity, CardTesting]);

        Assert.Throws<ArgumentException>(() => ruleSet.Evaluate(new RuleContext(Purchase, new float[FeatureSchema.Count], new FeatureState().Track(Purchase)), new RuleHit[1]));
    }
}
