using System.Text;
using Fraud.Core.Rules;

namespace Fraud.UnitTests.Core.Rules;

public sealed class RuleSetJsonTests
{
    internal static RuleSet Parse(string json)
    {
        Assert.True(RuleSetJson.TryParse(Encoding.UTF8.GetBytes(json), out var ruleSet, out var errors), string.Join("\n", errors));
        return ruleSet;
    }

    private static IReadOnlyList<string> Errors(string json)
    {
        Assert.False(RuleSetJson.TryParse(Encoding.UTF8.GetBytes(json), out var ruleSet, out var errors));
        Assert.Null(ruleSet);
        return errors;
    }

    private static string OneRule(string rule) => $$"""{"version":"v1","rules":[{{rule}}]}""";

    [Fact]
    public void The_shipped_default_rule_set_is_valid_and_has_every_kind()
    {
        var ruleSet = Parse(File.ReadAllText(Path.Combine(ChildProcess.RepositoryRoot(), "Fraud.Detector", "rules.json")));

        Assert.False(string.IsNullOrWhiteSpace(ruleSet.Version));
        Assert.Equal(RuleSetJson.KnownKinds.Order(), ruleSet.Rules.Select(rule => rule.Kind).Distinct().Order());
    }

    [Fact]
    public void Reads_a_rule_with_its_name_weight_and_parameters()
    {
        var ruleSet = Parse(OneRule("""{"name":"burst","kind":"velocity","weight":0.4,"parameters":{"min_count":5,"window_seconds":600}}"""));

        var rule = Assert.IsType<VelocityRule>(Assert.Single(ruleSet.Rules));
        Assert.Equal("v1", ruleSet.Version);
        Assert.Equal("burst", rule.Name);
        Assert.Equal(0.4, rule.Weight);
        Assert.Equal(5, rule.MinCount);
        Assert.Equal(TimeSpan.FromMinutes(10), rule.Window);
    }

    [Fact]
    public void Comments_and_trailing_commas_are_allowed()
    {
        var ruleSet = Parse("""
            {
              // people edit this file
              "version": "v1",
              "rules": [],
            }
            """);

        Assert.Empty(ruleSet.Rules);
    }

    [Fact]
    public void Optional_parameters_take_their_defaults()
    {
        var rule = Assert.IsType<HighRiskMccRule>(Assert.Single(Parse(OneRule("""{"name":"mcc","kind":"high_risk_mcc","weight":0.2}""")).Rules));

        Assert.Equal(0, rule.MinAmount);
        Assert.Contains(7995, rule.Mccs);
    }

    [Fact]
    public void A_missing_parameter_is_named_with_its_rule()
    {
        var errors = Errors(OneRule("""{"name":"burst","kind":"velocity","weight":0.4,"parameters":{"min_count":5}}"""));

        Assert.Equal(["rule 'burst' (velocity): parameter 'window_seconds': required"], errors);
    }

    [Fact]
    public void An_out_of_range_parameter_says_the_range_and_the_value()
    {
        var errors = Errors(OneRule("""{"name":"night","kind":"night_high_amount","weight":0.2,"parameters":{"start_hour":25,"end_hour":5,"min_amount":100}}"""));

        Assert.Equal(["rule 'night' (night_high_amount): parameter 'start_hour': must be at least 0 and less than 24, got 25"], errors);
    }

    [Fact]
    public void A_parameter_of_the_wrong_type_is_reported()
    {
        var errors = Errors(OneRule("""{"name":"burst","kind":"velocity","weight":0.4,"parameters":{"min_count":"five","window_seconds":60}}"""));

        Assert.Equal(["rule 'burst' (velocity): parameter 'min_count': must be an integer"], errors);
    }

    [Fact]
    public void A_misspelt_parameter_is_reported_with_the_expected_ones()
    {
        var errors = Errors(OneRule("""{"name":"burst","kind":"velocity","weight":0.4,"parameters":{"min_count":5,"window_seconds":60,"window_secs":60}}"""));

        Assert.Equal(["rule 'burst' (velocity): parameter 'window_secs': unknown; expected max_amount, max_ratio, min_count, min_history, window_seconds"], errors);
    }

    [Fact]
    public void A_parameter_that_depends_on_another_names_it()
    {
        var errors = Errors(OneRule(
            """{"name":"ct","kind":"card_testing","weight":0.7,"parameters":{"min_small_count":3,"small_max_amount":5,"large_min_amount":2,"window_seconds":600}}"""));

        Assert.Equal(["rule 'ct' (card_testing): parameter 'large_min_amount': must be greater than small_max_amount (5), got 2"], errors);
    }

    [Fact]
    public void Amounts_relative_to_the_users_mean_are_read_with_their_history_defaulting_to_one()
    {
        var ruleSet = Parse("""
            {"version":"v1","rules":[
            {"name":"ct","kind":"card_testing","weight":0.7,"parameters":{"min_small_count":3,"small_max_ratio":0.3,"large_min_ratio":5,"window_seconds":3600}},
            {"name":"tb","kind":"velocity","weight":0.5,"parameters":{"min_count":3,"window_seconds":600,"max_ratio":0.2}},
            {"name":"nh","kind":"night_high_amount","weight":0.25,"parameters":{"start_hour":0,"end_hour":5,"min_ratio":10,"min_history":4}}]}
            """);

        var cardTesting = Assert.IsType<CardTestingRule>(ruleSet.Rules[0]);
        Assert.Equal((0.3, 5, double.PositiveInfinity, 0, 1), (cardTesting.SmallMaxRatio, cardTesting.LargeMinRatio, cardTesting.SmallMaxAmount, cardTesting.LargeMinAmount, cardTesting.MinHistory));
        var velocity = Assert.IsType<VelocityRule>(ruleSet.Rules[1]);
        Assert.Equal((0.2, double.PositiveInfinity, 1), (velocity.MaxRatio, velocity.MaxAmount, velocity.MinHistory));
        var night = Assert.IsType<NightHighAmountRule>(ruleSet.Rules[2]);
        Assert.Equal((10, 0, 4), (night.MinRatio, night.MinAmount, night.MinHistory));
    }

    [Fact]
    public void Absolute_amounts_keep_their_meaning_and_ask_for_no_history()
    {
        var ruleSet = Parse("""
            {"version":"v1","rules":[
            {"name":"ct","kind":"card_testing","weight":0.7,"parameters":{"min_small_count":3,"small_max_amount":2.0,"large_min_amount":100,"window_seconds":3600}},
            {"name":"tb","kind":"velocity","weight":0.5,"parameters":{"min_count":3,"window_seconds":600,"max_amount":3.0}},
            {"name":"nh","kind":"night_high_amount","weight":0.25,"parameters":{"start_hour":0,"end_hour":5,"min_amount":500}},
            {"name":"nc","kind":"new_country_high_amount","weight":0.4,"parameters":{"min_amount":150,"min_history":3}}]}
            """);

        var cardTesting = Assert.IsType<CardTestingRule>(ruleSet.Rules[0]);
        Assert.Equal((double.PositiveInfinity, 0, 2, 100, 0), (cardTesting.SmallMaxRatio, cardTesting.LargeMinRatio, cardTesting.SmallMaxAmount, cardTesting.LargeMinAmount, cardTesting.MinHistory));
        var velocity = Assert.IsType<VelocityRule>(ruleSet.Rules[1]);
        Assert.Equal((double.PositiveInfinity, 3, 0), (velocity.MaxRatio, velocity.MaxAmount, velocity.MinHistory));
        var night = Assert.IsType<NightHighAmountRule>(ruleSet.Rules[2]);
        Assert.Equal((0, 500, 0), (night.MinRatio, night.MinAmount, night.MinHistory));
        var newCountry = Assert.IsType<NewCountryHighAmountRule>(ruleSet.Rules[3]);
        Assert.Equal((0, 150, 3), (newCountry.MinRatio, newCountry.MinAmount, newCountry.MinHistory));
    }

    [Theory]
    [InlineData(
        """{"name":"x","kind":"night_high_amount","weight":0.2,"parameters":{"start_hour":0,"end_hour":5}}""",
        "rule 'x' (night_high_amount): parameter 'min_amount': required unless 'min_ratio' is given")]
    [InlineData(
        """{"name":"x","kind":"new_country_high_amount","weight":0.2,"parameters":{"min_history":3}}""",
        "rule 'x' (new_country_high_amount): parameter 'min_amount': required unless 'min_ratio' is given")]
    [InlineData(
        """{"name":"x","kind":"card_testing","weight":0.7,"parameters":{"min_small_count":3,"large_min_ratio":5,"window_seconds":600}}""",
        "rule 'x' (card_testing): parameter 'small_max_amount': required unless 'small_max_ratio' is given")]
    [InlineData(
        """{"name":"x","kind":"card_testing","weight":0.7,"parameters":{"min_small_count":3,"small_max_ratio":0.3,"window_seconds":600}}""",
        "rule 'x' (card_testing): parameter 'large_min_amount': required unless 'large_min_ratio' is given")]
    [InlineData(
        """{"name":"x","kind":"card_testing","weight":0.7,"parameters":{"min_small_count":3,"small_max_ratio":0.3,"large_min_ratio":0.2,"window_seconds":600}}""",
        "rule 'x' (card_testing): parameter 'large_min_ratio': must be greater than small_max_ratio (0.3), got 0.2")]
    [InlineData(
        """{"name":"x","kind":"high_risk_mcc","weight":0.2,"parameters":{"min_ratio":0}}""",
        "rule 'x' (high_risk_mcc): parameter 'min_ratio': must be greater than 0, got 0")]
    [InlineData(
        """{"name":"x","kind":"velocity","weight":0.5,"parameters":{"min_count":3,"window_seconds":600,"max_ratio":0.2,"min_history":0}}""",
        "rule 'x' (velocity): parameter 'min_history': must be at least 1 and at most 2147483647, got 0")]
    public void A_relative_amount_missing_or_out_of_range_names_the_parameter(string rule, string error)
    {
        Assert.Equal([error], Errors(OneRule(rule)));
    }

    [Fact]
    public void An_unknown_kind_lists_the_known_ones()
    {
        var error = Assert.Single(Errors(OneRule("""{"name":"x","kind":"magic","weight":0.4}""")));

        Assert.StartsWith("rule 'x': kind: 'magic' is not a rule kind; one of velocity, amount_zscore,", error);
    }

    [Theory]
    [InlineData("""{"name":"x","kind":"amount_above","weight":1}""", "rule 'x' (amount_above): parameter 'min_amount': required")]
    [InlineData("""{"name":"x","kind":"high_risk_mcc","weight":0}""", "rule 'x' (high_risk_mcc): weight: must be greater than 0 and at most 1, got 0")]
    [InlineData("""{"name":"x","kind":"high_risk_mcc","weight":1.5}""", "rule 'x' (high_risk_mcc): weight: must be greater than 0 and at most 1, got 1.5")]
    [InlineData("""{"name":"x","kind":"high_risk_mcc"}""", "rule 'x' (high_risk_mcc): weight: required, in (0, 1]")]
    [InlineData("""{"kind":"high_risk_mcc","weight":0.5}""", "rules[0].name: required")]
    [InlineData("""{"name":"a b","kind":"high_risk_mcc","weight":0.5}""", "rules[0].name: must be 1 to 64 letters, digits, '_', '-' or '.', got 'a b'")]
    [InlineData("""{"name":"x","kind":"high_risk_mcc","weight":0.5,"wieght":1}""", "rules[0].wieght: unknown field")]
    [InlineData("""{"name":"x","kind":"high_risk_mcc","weight":"high"}""", "rules[0].weight: must be a number")]
    [InlineData("""{"name":"x","kind":"high_risk_mcc","weight":0.5,"parameters":{"mccs":[7995,"x"]}}""", "rule 'x' (high_risk_mcc): parameter 'mccs': must hold integers between 0 and 9999, got \"x\"")]
    public void Rule_level_problems_are_precise(string rule, string expected) =>
        Assert.Equal([expected], Errors(OneRule(rule)));

    [Fact]
    public void Two_rules_may_not_share_a_name()
    {
        var errors = Errors("""{"version":"v1","rules":[{"name":"x","kind":"high_risk_mcc","weight":0.5},{"name":"x","kind":"high_risk_mcc","weight":0.5}]}""");

        Assert.Equal(["rules[1].name: 'x' is used by an earlier rule"], errors);
    }

    [Fact]
    public void Every_problem_of_a_file_is_reported_at_once()
    {
        var errors = Errors("""{"rules":[{"name":"a","kind":"velocity","weight":0.5},{"name":"b","kind":"magic","weight":2}]}""");

        Assert.Equal(
            [
                "version: required",
                "rule 'a' (velocity): parameter 'min_count': required",
                "rule 'a' (velocity): parameter 'window_seconds': required",
                "rule 'b': kind: 'magic' is not a rule kind; one of velocity, amount_zscore, impossible_travel, card_testing, new_country_high_amount, night_high_amount, high_risk_mcc, amount_above",
                "rule 'b': weight: must be greater than 0 and at most 1, got 2",
            ],
            errors);
    }

    [Theory]
    [InlineData("", "invalid JSON: ")]
    [InlineData("[]", "invalid JSON: ")]
    [InlineData("""{"version":"v1","rules":[],}x""", "invalid JSON: ")]
    [InlineData("""{"version":"v1"}""", "rules: required (an array, possibly empty)")]
    [InlineData("""{"version":"v1","rules":{}}""", "rules: must be an array of rule objects")]
    [InlineData("""{"version":"v1","version":"v2","rules":[]}""", "version: must appear only once")]
    [InlineData("""{"version":"v1","rules":[],"extra":1}""", "extra: unknown field")]
    public void File_level_problems_are_precise(string json, string expectedStart) =>
        Assert.StartsWith(expectedStart, Assert.Single(Errors(json)));
}
