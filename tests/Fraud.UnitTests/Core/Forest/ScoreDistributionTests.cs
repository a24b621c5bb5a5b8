using Fraud.Core.Detection.Forest;

namespace Fraud.UnitTests.Core.Forest;

public sealed class ScoreDistributionTests
{
    /// <summary>10,000 scores spread evenly over [−0.75, −0.25): the share at or below s is (s + 0.75) / 0.5.</summary>
    private static readonly double[] EvenScores = Enumerable.Range(0, 10_000).Select(i => -0.75 + (i * 0.5 / 10_000)).ToArray();

    private static readonly ScoreDistribution Even = ScoreDistribution.FromSorted(EvenScores);

    [Theory]
    [InlineData(-0.7, 0.1)]
    [InlineData(-0.5, 0.5)]
    [InlineData(-0.745, 0.01)]
    [InlineData(-0.7495, 0.001)]
    public void A_score_reads_as_the_share_of_training_scores_at_or_below_it(double score, double share) =>
        Assert.Equal(share, Even.TailShare(score), share * 0.02);

    [Fact]
    public void Scores_past_either_end_read_as_the_smallest_share_and_as_all()
    {
        Assert.Equal(ScoreDistribution.SmallestTail, Even.TailShare(-0.9));
        Assert.Equal(1.0, Even.TailShare(-0.1));
    }

    [Theory]
    [InlineData(0.005)]
    [InlineData(0.05)]
    [InlineData(0.5)]
    public void The_score_at_a_share_and_the_share_of_that_score_invert_each_other(double share) =>
        Assert.Equal(share, Even.TailShare(Even.ScoreAt(share)), share * 1e-6);

    [Fact]
    public void On_the_training_rows_a_share_alerts_that_share_of_them()
    {
        var rows = ForestTestData.Rows(inliers: 4000, features: 3, outliers: 40);
        var forest = IsolationForest.Fit(rows, ["a", "b", "c"], new IsolationForestOptions { Seed = 3 }, "if-test");

        var tails = ForestTestData.Scores(forest, rows).Select(score => forest.TrainingScores!.TailShare(score)).ToArray();

        Assert.Equal(0.01, tails.Count(tail => tail <= 0.01) / (double)tails.Length, 0.0015);
        Assert.Equal(0.2, tails.Count(tail => tail <= 0.2) / (double)tails.Length, 0.005);
    }
}
