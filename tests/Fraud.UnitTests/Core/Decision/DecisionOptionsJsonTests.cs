using System.Text;
using Fraud.Core.Decision;

namespace Fraud.UnitTests.Core.Decision;

public sealed class DecisionOptionsJsonTests
{
    private static (DecisionOptions? Options, IReadOnlyList<string> Errors) Parse(string json)
    {
        DecisionOptionsJson.TryParse(Encoding.UTF8.GetBytes(json), out var options, out var errors);
        return (options, errors);
    }

    [Fact]
    public void Reads_every_field()
    {
        var (options, errors) = Parse("""
            {"alert_threshold":0.65,"forest_evidence":"score","forest_anomaly_share":0.01,"forest_rank_steepness":2,
             "forest_weight":0.7,"forest_weight_with_classifier":0.2,"forest_scale":0.02,"score_threshold":-0.55,"classifier_weight":0.5,
             "amount_tail_share":0.02,"amount_tail_steepness":2,"amount_tail_weight":0.75}
            """);

        Assert.Empty(errors);
        Assert.Equal(
            new DecisionOptions
            {
                AlertThreshold = 0.65,
                ForestEvidence = ForestEvidence.Score,
                ForestAnomalyShare = 0.01,
                ForestRankSteepness = 2,
                ForestWeight = 0.7,
                ForestWeightWithClassifier = 0.2,
                ForestScale = 0.02,
                ScoreThreshold = -0.55,
                ClassifierWeight = 0.5,
                AmountTailShare = 0.02,
                AmountTailSteepness = 2,
                AmountTailWeight = 0.75,
            },
            options);
    }

    [Fact]
    public void Absent_fields_keep_their_defaults()
    {
        var (options, _) = Parse("""{ /* only the threshold */ "alert_threshold": 0.7, }""");

        Assert.Equal(new DecisionOptions { AlertThreshold = 0.7 }, options);
    }

    [Theory]
    [InlineData("""{"alert_threshold":0}""", "alert_threshold: must be greater than 0 and at most 1, got 0")]
    [InlineData("""{"forest_weight":1.5}""", "forest_weight: must be between 0 and 1, got 1.5")]
    [InlineData("""{"forest_weight_with_classifier":-0.1}""", "forest_weight_with_classifier: must be between 0 and 1, got -0.1")]
    [InlineData("""{"forest_scale":-1}""", "forest_scale: must be greater than 0, got -1")]
    [InlineData("""{"score_threshold":0.3}""", "score_threshold: must be between -1 and 0, got 0.3")]
    [InlineData("""{"score_threshold":-0.6}""", "score_threshold: applies only with \"forest_evidence\": \"score\"")]
    [InlineData("""{"alert_treshold":0.5}""", "alert_treshold: unknown field")]
    [InlineData("""{"forest_weight":"high"}""", "forest_weight: must be a number")]
    [InlineData("""{"forest_evidence":"median"}""", "forest_evidence: must be \"rank\" or \"score\", got \"median\"")]
    [InlineData("""{"forest_evidence":1}""", "forest_evidence: must be \"rank\" or \"score\"")]
    [InlineData("""{"forest_anomaly_share":0.6}""", "forest_anomaly_share: must be greater than 0 and at most 0.5, got 0.6")]
    [InlineData("""{"forest_rank_steepness":0}""", "forest_rank_steepness: must be greater than 0, got 0")]
    [InlineData("""{"amount_tail_share":0.7}""", "amount_tail_share: must be between 0 and 0.5, got 0.7")]
    [InlineData("""{"amount_tail_steepness":-1}""", "amount_tail_steepness: must be greater than 0, got -1")]
    [InlineData("""{"amount_tail_weight":2}""", "amount_tail_weight: must be between 0 and 1, got 2")]
    public void Problems_are_named_by_field(string json, string expected)
    {
        var (options, errors) = Parse(json);

        Assert.Null(options);
        Assert.Equal([expected], errors);
    }

    [Fact]
    public void Text_that_is_not_json_is_reported_as_such() =>
        Assert.StartsWith("invalid JSON: ", Assert.Single(Parse("alert_threshold=0.5").Errors));
}
