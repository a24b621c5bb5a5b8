using Fraud.Core.Evaluation;

namespace Fraud.UnitTests.Core.Evaluation;

public sealed class ThresholdAndCardMetricsTests
{
    private static readonly DateOnly Monday = new(2025, 9, 8);

    [Fact]
    public void Precision_and_recall_count_the_alerts_against_the_labels()
    {
        var metrics = ThresholdMetrics.Of([true, true, true, false, false], [true, false, true, true, false]);

        Assert.Equal(new ThresholdMetrics(TruePositives: 2, FalsePositives: 1, FalseNegatives: 1), metrics);
        Assert.Equal(2.0 / 3, metrics.Precision, 10);
        Assert.Equal(2.0 / 3, metrics.Recall, 10);
    }

    [Fact]
    public void Precision_without_alerts_and_recall_without_frauds_are_undefined()
    {
        Assert.True(double.IsNaN(ThresholdMetrics.Of([false, false], [true, false]).Precision));
        Assert.True(double.IsNaN(ThresholdMetrics.Of([true, false], [false, false]).Recall));
    }

    [Fact]
    public void Card_precision_ranks_each_days_cards_by_their_riskiest_transaction()
    {
        CardDay[] transactions =
        [
            new(1, Monday, 0.9, IsFraud: true),
            new(2, Monday, 0.8, IsFraud: false),
            new(3, Monday, 0.1, IsFraud: true),
            new(3, Monday, 0.05, IsFraud: false),
            new(4, Monday.AddDays(1), 0.5, IsFraud: true),
            new(4, Monday.AddDays(1), 0.95, IsFraud: false),
            new(5, Monday.AddDays(1), 0.7, IsFraud: false),
        ];

        // Monday: top 2 are cards 1 (fraud) and 2: 1/2. Tuesday: card 4 (fraud that day, max 0.95) and 5: 1/2.
        Assert.Equal(0.5, CardPrecision.TopKPerDay(transactions, cardsPerDay: 2), 10);
    }

    [Fact]
    public void A_card_detected_on_one_day_is_left_out_of_the_next_days_as_the_handbook_blocks_it()
    {
        CardDay[] transactions =
        [
            new(1, Monday, 0.9, IsFraud: true),                // Monday: card 1 detected
            new(1, Monday.AddDays(1), 0.99, IsFraud: true),    // Tuesday: card 1 is blocked, so card 2 is the top card
            new(2, Monday.AddDays(1), 0.5, IsFraud: false),
        ];

        // Monday 1/1; Tuesday 0/1 (card 2), not 1/1 with card 1 counted again.
        Assert.Equal(0.5, CardPrecision.TopKPerDay(transactions, cardsPerDay: 1), 10);
    }

    [Fact]
    public void A_day_with_fewer_cards_than_k_still_divides_by_k()
    {
        Assert.Equal(0.01, CardPrecision.TopKPerDay([new CardDay(1, Monday, 0.9, IsFraud: true)]), 10);
    }

    [Fact]
    public void Cards_tied_at_the_cut_off_count_in_proportion()
    {
        CardDay[] transactions =
        [
            new(1, Monday, 0.0, IsFraud: true),
            new(2, Monday, 0.0, IsFraud: false),
            new(3, Monday, 0.0, IsFraud: false),
        ];

        // Two slots among three tied cards, one of them fraudulent: 2/3 of a detected card, over k = 2.
        Assert.Equal(1.0 / 3, CardPrecision.TopKPerDay(transactions, cardsPerDay: 2), 10);
    }

    [Fact]
    public void Evaluation_reports_overall_and_each_scenario_against_all_legitimate_transactions()
    {
        EvaluatedTransaction[] transactions =
        [
            new(0.9, Alert: true, IsFraud: true, "card_testing"),
            new(0.8, Alert: true, IsFraud: false),
            new(0.7, Alert: false, IsFraud: true, "account_takeover"),
            new(0.2, Alert: false, IsFraud: false),
            new(0.6, Alert: false, IsFraud: true),
        ];

        var report = DetectionEvaluation.Evaluate(transactions);

        Assert.Equal((5, 3, 2), (report.Overall.Transactions, report.Overall.Frauds, report.Overall.Alerts));
        Assert.Equal(1.0 / 3, report.Overall.Recall, 10);
        Assert.Equal(0.5, report.Overall.Precision, 10);
        Assert.Null(report.Overall.CardPrecisionAtK);
        Assert.Equal(["(unnamed)", "account_takeover", "card_testing"], report.Scenarios.Select(s => s.Key));
        var cardTesting = report.Scenarios.Single(s => s.Key == "card_testing").Value;
        Assert.Equal((3, 1), (cardTesting.Transactions, cardTesting.Frauds));
        Assert.Equal(1, cardTesting.RocAuc);
        Assert.Equal(1, cardTesting.Recall);
        var takeover = report.Scenarios.Single(s => s.Key == "account_takeover").Value;
        Assert.Equal(0.5, takeover.RocAuc, 10);
        Assert.Equal(0.5, takeover.AveragePrecision, 10);
    }

    [Fact]
    public void Evaluation_computes_card_precision_when_every_transaction_has_its_card_and_day()
    {
        EvaluatedTransaction[] transactions =
        [
            new(0.9, Alert: true, IsFraud: true, "card_testing", new CardAndDay(1, Monday)),
            new(0.1, Alert: false, IsFraud: false, Card: new CardAndDay(2, Monday)),
        ];

        Assert.Equal(0.01, DetectionEvaluation.Evaluate(transactions).Overall.CardPrecisionAtK!.Value, 10);
        Assert.Equal(0.5, DetectionEvaluation.Evaluate(transactions, cardsPerDay: 2).Overall.CardPrecisionAtK!.Value, 10);
    }
}
