using Fraud.Core.Evaluation;

namespace Fraud.UnitTests.Core.Evaluation;

public sealed class RankingMetricsTests
{
    // scikit-learn's documentation example: roc_auc_score → 0.75, average_precision_score → 0.8333.
    private static readonly double[] ExampleScores = [0.1, 0.4, 0.35, 0.8];
    private static readonly bool[] ExampleLabels = [false, false, true, true];

    [Fact]
    public void Roc_auc_of_the_scikit_learn_example() =>
        Assert.Equal(0.75, RankingMetrics.RocAuc(ExampleScores, ExampleLabels), 10);

    [Fact]
    public void Average_precision_of_the_scikit_learn_example() =>
        // Thresholds 0.8 (P 1, R 0.5), 0.4 (P 0.5, R 0.5), 0.35 (P 2/3, R 1): 0.5·1 + 0·0.5 + 0.5·2/3.
        Assert.Equal(0.5 + (0.5 * 2 / 3), RankingMetrics.AveragePrecision(ExampleScores, ExampleLabels), 10);

    [Fact]
    public void Tied_scores_share_their_average_rank()
    {
        double[] scores = [0.5, 0.5, 0.5, 0.9];
        bool[] labels = [true, false, false, true];

        // Positive ranks 4 and (1 + 2 + 3) / 3 = 2: (6 − 2·3/2) / (2·2).
        Assert.Equal(0.75, RankingMetrics.RocAuc(scores, labels), 10);
    }

    [Fact]
    public void Tied_scores_enter_the_precision_curve_together()
    {
        double[] scores = [0.5, 0.5, 0.5, 0.9];
        bool[] labels = [true, false, false, true];

        // Thresholds 0.9 (P 1, R 0.5) and 0.5 (P 2/4, R 1): 0.5·1 + 0.5·0.5.
        Assert.Equal(0.75, RankingMetrics.AveragePrecision(scores, labels), 10);
    }

    [Fact]
    public void A_constant_score_ranks_at_chance()
    {
        double[] scores = [0, 0, 0, 0, 0];
        bool[] labels = [true, false, false, true, false];

        Assert.Equal(0.5, RankingMetrics.RocAuc(scores, labels), 10);
        Assert.Equal(0.4, RankingMetrics.AveragePrecision(scores, labels), 10);
    }

    [Fact]
    public void A_perfect_ranking_scores_one_and_a_reversed_one_zero()
    {
        double[] scores = [1, 2, 3, 4];
        bool[] perfect = [false, false, true, true];
        bool[] reversed = [true, true, false, false];

        Assert.Equal(1, RankingMetrics.RocAuc(scores, perfect));
        Assert.Equal(1, RankingMetrics.AveragePrecision(scores, perfect));
        Assert.Equal(0, RankingMetrics.RocAuc(scores, reversed));
    }

    [Fact]
    public void Average_precision_of_an_interleaved_ranking()
    {
        // Descending: +, −, +, −, −, +: P at each positive 1, 2/3, 3/6, each worth a third of recall.
        double[] scores = [6, 5, 4, 3, 2, 1];
        bool[] labels = [true, false, true, false, false, true];

        Assert.Equal((1 + (2.0 / 3) + 0.5) / 3, RankingMetrics.AveragePrecision(scores, labels), 10);
        // Pairs (positive above negative): 3 + 2 + 0 of 9.
        Assert.Equal(5.0 / 9, RankingMetrics.RocAuc(scores, labels), 10);
    }

    [Fact]
    public void Roc_auc_counts_a_tie_between_a_positive_and_a_negative_as_one_half() =>
        // roc_auc_score([0, 1, 0, 1, 0, 1], [0.5, 0.5, 0.2, 0.9, 0.7, 0.7]) == 0.7777777777777778 (scikit-learn 1.2.1)
        Assert.Equal(7.0 / 9, RankingMetrics.RocAuc([0.5, 0.5, 0.2, 0.9, 0.7, 0.7], [false, true, false, true, false, true]), 15);

    [Fact]
    public void Metrics_are_undefined_without_both_classes()
    {
        double[] scores = [0.2, 0.7];

        Assert.True(double.IsNaN(RankingMetrics.RocAuc(scores, [false, false])));
        Assert.True(double.IsNaN(RankingMetrics.RocAuc(scores, [true, true])));
        Assert.True(double.IsNaN(RankingMetrics.AveragePrecision(scores, [false, false])));
        Assert.Equal(1, RankingMetrics.AveragePrecision(scores, [true, true]));
    }

    [Fact]
    public void Scores_and_labels_must_pair_up() =>
        Assert.Throws<ArgumentException>(() => RankingMetrics.RocAuc([0.1, 0.2], [true]));
}
